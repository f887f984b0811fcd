// Deliberately allocates on the heap. Built like embedded_profile.cpp, it must be REJECTED
// by cmake/check_symbols.cmake: the ctest test embedded_symbol_check_selftest expects the
// check to fail (WILL_FAIL), which proves the check can fail at all.

// A volatile pointer makes the allocation observable, so no compiler may elide new/delete.
int* volatile sink = nullptr;

int main(int argc, char**) {
    sink = new int(argc);
    const int v = *sink;
    delete sink;
    return v == argc ? 0 : 1;
}
