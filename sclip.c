/* Builds the sclip implementation as one translation unit (for build systems that want a .c file). */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
