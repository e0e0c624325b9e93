/* sclip.h - placeholder, replaced by the engine */
#ifndef SCLIP_H
#define SCLIP_H
#include "sclip_tokenizer.h"
#endif
