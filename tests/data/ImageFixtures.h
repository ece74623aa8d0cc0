#pragma once
// Image files written by the tests.
namespace fixtures {}
