#include "data/ImageFixtures.h"
