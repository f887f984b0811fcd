// The one main() of the doctest executables (lwm2m_tests and each interop test).
// Test sources listed in cmake/lists/tests.txt must not define a main of their own.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

// The counting replacement of global operator new/delete that the zero-allocation tests use.
// It must be defined exactly once per test program, and every test program links this file.
#include "support/allocation_counter.cpp"
