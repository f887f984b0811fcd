// The one definition, for the whole test executable, of every replaceable global allocation
// function ([new.delete], [replacement.functions]): each call of an operator new / new[] overload
// is counted, then served by malloc (aligned_alloc for the align_val_t overloads). The operator
// delete / delete[] overloads are replaced too, so that memory goes back to the allocator it came
// from. See allocation_counter.hpp. tests/main.cpp #includes this file, so every test program has
// it exactly once: do not also list it among the test sources (that would define it twice).

#include "allocation_counter.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::size_t> allocations{0};
std::atomic<std::size_t> deallocations{0};

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define LWM2M_TEST_HAS_EXCEPTIONS 1
#else
#define LWM2M_TEST_HAS_EXCEPTIONS 0
#endif

[[noreturn]] void out_of_memory() {
#if LWM2M_TEST_HAS_EXCEPTIONS
    throw std::bad_alloc{};
#else
    std::abort();
#endif
}

/**
 * malloc with the new-handler loop of [new.delete.single]: nullptr when there is no handler; a
 * handler may throw bad_alloc (the throwing overloads pass it on, the nothrow ones return nullptr).
 */
void* allocate(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (size == 0) size = 1;
    for (;;) {
        if (void* p = std::malloc(size)) return p;
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) return nullptr;
        handler();
    }
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    auto align = static_cast<std::size_t>(alignment);
    if (align < sizeof(void*)) align = sizeof(void*);
    // aligned_alloc wants a size that is a multiple of the alignment (C11 7.22.3.1).
    size = size == 0 ? align : (size + align - 1) / align * align;
    for (;;) {
#if defined(_WIN32)
        if (void* p = _aligned_malloc(size, align)) return p;
#else
        if (void* p = std::aligned_alloc(align, size)) return p;
#endif
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) return nullptr;
        handler();
    }
}

void release(void* p) noexcept {
    if (p == nullptr) return;
    deallocations.fetch_add(1, std::memory_order_relaxed);
    std::free(p);
}

void release_aligned(void* p) noexcept {
    if (p == nullptr) return;
    deallocations.fetch_add(1, std::memory_order_relaxed);
#if defined(_WIN32)
    _aligned_free(p);
#else
    std::free(p);
#endif
}

void* checked(void* p) {
    if (p == nullptr) out_of_memory();
    return p;
}

/** The nothrow overloads: nullptr instead of an exception from a new-handler. */
template <class F>
void* or_null(F&& f) noexcept {
#if LWM2M_TEST_HAS_EXCEPTIONS
    try {
        return f();
    } catch (...) {
        return nullptr;
    }
#else
    return f();
#endif
}

} // namespace

namespace lwm2m::test {

std::size_t allocation_count() noexcept { return allocations.load(std::memory_order_relaxed); }
std::size_t deallocation_count() noexcept { return deallocations.load(std::memory_order_relaxed); }

} // namespace lwm2m::test

// ---- replaceable allocation functions -------------------------------------------------------------

void* operator new(std::size_t size) { return checked(allocate(size)); }
void* operator new[](std::size_t size) { return checked(allocate(size)); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return or_null([&] { return allocate(size); });
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return or_null([&] { return allocate(size); });
}
void* operator new(std::size_t size, std::align_val_t al) { return checked(allocate_aligned(size, al)); }
void* operator new[](std::size_t size, std::align_val_t al) { return checked(allocate_aligned(size, al)); }
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
    return or_null([&] { return allocate_aligned(size, al); });
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
    return or_null([&] { return allocate_aligned(size, al); });
}

// ---- replaceable deallocation functions -----------------------------------------------------------

void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release_aligned(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release_aligned(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release_aligned(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release_aligned(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release_aligned(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release_aligned(p); }
