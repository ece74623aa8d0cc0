#include "data/DigitCsv.h"
// Written in the readers slice.
