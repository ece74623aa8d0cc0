#include "data/ImageFolder.h"
// Written in the readers slice.
