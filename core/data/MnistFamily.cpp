#include "data/MnistFamily.h"
// Written in the readers slice.
