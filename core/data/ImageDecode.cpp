#include "data/ImageDecode.h"
// Written in the readers slice.
