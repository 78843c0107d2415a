// A vector of trivially copyable values in 8 bytes: one pointer to a block that holds its size,
// its capacity and then the values; an empty one allocates nothing. For the containers every
// replica carries and most leave empty or tiny (a leader's peers and changes in flight, entries
// under repair, a log's unapplied tail): a region of a million groups holds three million of
// each, and std::vector's 24 bytes apiece add up to 48 MB per field.
#pragma once

#include "sim/assert.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <type_traits>
#include <utility>

namespace models::replication {

template <class T>
class CompactVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "values are moved with memcpy and never destroyed");
  static_assert(alignof(T) <= alignof(std::max_align_t));

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;
  using size_type = std::size_t;

  CompactVector() = default;
  CompactVector(std::initializer_list<T> values) {
    reserve(values.size());
    for (const T& v : values) push_back(v);
  }
  CompactVector(const CompactVector& other) { *this = other; }
  CompactVector(CompactVector&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  CompactVector& operator=(const CompactVector& other) {
    if (this == &other) return *this;
    clear();
    if (!other.empty()) {
      reserve(other.size());
      std::memcpy(static_cast<void*>(data()), other.data(), other.size() * sizeof(T));
      block_->size = other.block_->size;
    }
    return *this;
  }
  CompactVector& operator=(CompactVector&& other) noexcept {
    if (this != &other) {
      std::free(block_);
      block_ = std::exchange(other.block_, nullptr);
    }
    return *this;
  }
  ~CompactVector() { std::free(block_); }

  size_type size() const { return block_ == nullptr ? 0 : block_->size; }
  size_type capacity() const { return block_ == nullptr ? 0 : block_->capacity; }
  bool empty() const { return size() == 0; }

  T* data() { return block_ == nullptr ? nullptr : values(block_); }
  const T* data() const { return block_ == nullptr ? nullptr : values(block_); }
  iterator begin() { return data(); }
  iterator end() { return data() + size(); }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size(); }

  T& operator[](size_type i) {
    SIM_ASSERT_OP(i, <, size());
    return data()[i];
  }
  const T& operator[](size_type i) const {
    SIM_ASSERT_OP(i, <, size());
    return data()[i];
  }
  T& front() { return (*this)[0]; }
  T& back() { return (*this)[size() - 1]; }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size() - 1]; }

  void reserve(size_type wanted) {
    if (wanted <= capacity()) return;
    SIM_ASSERT_OP(wanted, <=, size_type{UINT32_MAX});
    const size_type bytes = kValuesOffset + wanted * sizeof(T);
    auto* grown = static_cast<Block*>(std::realloc(block_, bytes));
    if (grown == nullptr) throw std::bad_alloc();
    if (block_ == nullptr) grown->size = 0;
    grown->capacity = static_cast<std::uint32_t>(wanted);
    block_ = grown;
  }
  void push_back(const T& value) {
    const T copy = value;  // `value` may live inside this vector, which growing moves
    grow_for(size() + 1);
    values(block_)[block_->size++] = copy;
  }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    const T made(std::forward<Args>(args)...);
    grow_for(size() + 1);
    T& slot = values(block_)[block_->size++];
    slot = made;
    return slot;
  }
  void pop_back() {
    SIM_ASSERT(!empty());
    --block_->size;
  }
  iterator insert(const_iterator at, const T& value) {
    const T copy = value;
    const size_type i = static_cast<size_type>(at - begin());
    SIM_ASSERT_OP(i, <=, size());
    grow_for(size() + 1);
    T* v = values(block_);
    std::memmove(static_cast<void*>(v + i + 1), v + i, (block_->size - i) * sizeof(T));
    v[i] = copy;
    ++block_->size;
    return v + i;
  }
  iterator erase(const_iterator at) { return erase(at, at + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const size_type from = static_cast<size_type>(first - begin());
    const size_type to = static_cast<size_type>(last - begin());
    SIM_ASSERT(from <= to && to <= size());
    if (from == to) return begin() + from;
    T* v = values(block_);
    std::memmove(static_cast<void*>(v + from), v + to, (block_->size - to) * sizeof(T));
    block_->size -= static_cast<std::uint32_t>(to - from);
    return v + from;
  }
  // New values are value-initialised, as std::vector::resize makes them.
  void resize(size_type n) {
    if (n > size()) {
      grow_for(n);
      for (size_type i = block_->size; i < n; ++i) values(block_)[i] = T{};
    }
    if (block_ != nullptr) block_->size = static_cast<std::uint32_t>(n);
  }
  // Keeps the block, as std::vector keeps its capacity.
  void clear() {
    if (block_ != nullptr) block_->size = 0;
  }
  // Gives the block back when empty.
  void shrink_to_fit() {
    if (block_ != nullptr && block_->size == 0) {
      std::free(block_);
      block_ = nullptr;
    }
  }

  friend bool operator==(const CompactVector& a, const CompactVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  template <class Predicate>
  friend size_type erase_if(CompactVector& v, Predicate&& predicate) {
    T* kept = std::remove_if(v.begin(), v.end(), predicate);
    const auto removed = static_cast<size_type>(v.end() - kept);
    v.erase(kept, v.end());
    return removed;
  }

 private:
  struct Block {
    std::uint32_t size;
    std::uint32_t capacity;
  };
  // The values start at the first offset past the header that suits their alignment.
  static constexpr size_type kValuesOffset = (sizeof(Block) + alignof(T) - 1) / alignof(T) * alignof(T);
  static T* values(Block* block) { return std::launder(reinterpret_cast<T*>(reinterpret_cast<char*>(block) + kValuesOffset)); }
  static const T* values(const Block* block) {
    return std::launder(reinterpret_cast<const T*>(reinterpret_cast<const char*>(block) + kValuesOffset));
  }
  void grow_for(size_type wanted) {
    if (wanted <= capacity()) return;
    // The first value gets a block of one: most of these hold one or two values for life.
    reserve(std::max<size_type>(wanted, 2 * capacity()));
  }

  Block* block_ = nullptr;
};

}  // namespace models::replication
