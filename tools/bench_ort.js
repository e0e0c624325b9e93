#!/usr/bin/env node
// ONNX Runtime reference timing for `make bench`: the CLIP ViT-B/16 vision tower with SCLIP's
// CSA last block (1x3x224x224 -> 1x197x512), exported by tools/bench_torch.py --export-onnx.
// Runs it with the npm package onnxruntime-node (CPU execution provider, graph optimisation
// 'all', 2 intra-op threads) and prints JSON lines: forward_224 (median of the timed runs after
// warm-up), peak_rss_mb, and an ort_info line. Lines starting with '#' are for humans.
//
//   node tools/bench_ort.js [--model build/vit_b16_csa.onnx] [--threads 2] [--runs 10]
//                           [--warmup 2] [--ort-dir build/ort]
//
// onnxruntime-node is looked up in --ort-dir/node_modules (default build/ort, where
// tools/bench.sh installs it), then in the normal Node.js module path.
// If MODEL.check.bin exists (written by the exporter: u32 n_in, u32 n_out, the input and the
// PyTorch output as f32), the output is compared with PyTorch's and the error reported.
'use strict';
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');

const repo = path.resolve(__dirname, '..');
const opt = { model: path.join(repo, 'build', 'vit_b16_csa.onnx'), threads: 2, runs: 10,
              warmup: 2, 'ort-dir': path.join(repo, 'build', 'ort') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
  if (!m || !(m[1] in opt)) {
    console.error(`bench_ort: unknown argument ${argv[i]}\n` +
                  'usage: node tools/bench_ort.js [--model F] [--threads N] [--runs N] ' +
                  '[--warmup N] [--ort-dir D]');
    process.exit(2);
  }
  const v = m[2] !== undefined ? m[2] : argv[++i];
  if (v === undefined) { console.error(`bench_ort: --${m[1]} needs a value`); process.exit(2); }
  opt[m[1]] = typeof opt[m[1]] === 'number' ? Number(v) : v;
  if (typeof opt[m[1]] === 'number' && !(opt[m[1]] >= 0)) {
    console.error(`bench_ort: --${m[1]} must be a number >= 0`); process.exit(2);
  }
}

function loadOrt() {
  const tries = [path.join(path.resolve(opt['ort-dir']), 'node_modules', 'onnxruntime-node'),
                 'onnxruntime-node'];
  for (const t of tries) {
    try { return { ort: require(t), where: t }; } catch (e) { /* next */ }
  }
  console.error('bench_ort: onnxruntime-node not found (install it with ' +
                '`npm install --prefix build/ort onnxruntime-node`)');
  process.exit(3);
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function readCheck(file) {
  if (!fs.existsSync(file)) return null;
  const b = fs.readFileSync(file);
  const nIn = b.readUInt32LE(0), nOut = b.readUInt32LE(4);
  if (b.length !== 8 + 4 * (nIn + nOut)) return null;
  const f = new Float32Array(b.buffer.slice(b.byteOffset + 8, b.byteOffset + b.length));
  return { input: f.slice(0, nIn), output: f.slice(nIn) };
}

async function main() {
  if (!fs.existsSync(opt.model)) {
    console.error(`bench_ort: ${opt.model} not found (make it with ` +
                  '/usr/bin/python3 tools/bench_torch.py --export-onnx build/vit_b16_csa.onnx)');
    process.exit(3);
  }
  const { ort, where } = loadOrt();
  let version = null;
  try {
    const pj = path.join(path.dirname(require.resolve(where)), '..', 'package.json');
    version = JSON.parse(fs.readFileSync(pj, 'utf8')).version;
  } catch (e) { version = (ort.env && ort.env.versions && ort.env.versions.common) || null; }

  const t0 = performance.now();
  const session = await ort.InferenceSession.create(opt.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opt.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const loadS = (performance.now() - t0) / 1e3;
  const inName = session.inputNames[0], outName = session.outputNames[0];

  const check = readCheck(opt.model + '.check.bin');
  let input = check ? check.input : null;
  if (!input) {
    input = new Float32Array(3 * 224 * 224);
    let s = 12345;   // small LCG: deterministic pseudo-random pixels
    for (let i = 0; i < input.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      input[i] = (s / 4294967296) * 4 - 2;
    }
  }
  const feeds = { [inName]: new ort.Tensor('float32', input, [1, 3, 224, 224]) };

  let out = null;
  for (let i = 0; i < opt.warmup; i++) out = await session.run(feeds);
  const runs = [];
  for (let i = 0; i < Math.max(1, opt.runs); i++) {
    const t = performance.now();
    out = await session.run(feeds);
    runs.push((performance.now() - t) / 1e3);
  }
  const y = out[outName];

  let relErr = null;
  if (check && check.output.length === y.data.length) {
    let maxDiff = 0, maxRef = 0;
    for (let i = 0; i < y.data.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(y.data[i] - check.output[i]));
      maxRef = Math.max(maxRef, Math.abs(check.output[i]));
    }
    relErr = maxDiff / Math.max(maxRef, 1e-30);
  }

  const med = median(runs);
  console.log(JSON.stringify({ name: 'ort_info', impl: 'onnxruntime-node', version,
                               node: process.version, threads: opt.threads,
                               graph_optimization: 'all', provider: 'cpu', model: opt.model,
                               session_create_s: loadS, output_shape: y.dims }));
  console.log(JSON.stringify({ name: 'forward_224', median_s: med, min_s: Math.min(...runs), runs,
                               impl: 'onnxruntime-node', version,
                               check_max_rel_err: relErr }));
  console.log(JSON.stringify({ name: 'peak_rss_mb', value: process.resourceUsage().maxRSS / 1024,
                               impl: 'onnxruntime-node' }));
  console.log(`# onnxruntime-node ${version}, ${opt.threads} threads: forward_224 ` +
              `${(med * 1e3).toFixed(1)} ms (median of ${runs.length} after ${opt.warmup} ` +
              `warm-up)` + (relErr === null ? ', output not checked' :
              `, output vs PyTorch: max |diff| / max |ref| = ${relErr.toExponential(2)}`));
  if (relErr !== null && !(relErr < 1e-3)) {
    console.error('bench_ort: ONNX Runtime output differs from PyTorch\'s');
    process.exit(1);
  }
}

main().catch((e) => { console.error(`bench_ort: ${e && e.message ? e.message : e}`); process.exit(1); });
