// A small ordered map over a sorted CompactVector: 8 bytes empty instead of std::map's 48, one
// allocation for all its entries, iteration in key order. For maps that stay small (a leader's
// writes in flight); inserting in the middle moves the entries after it.
#pragma once

#include "models/replication/compact_vector.h"

#include <algorithm>

namespace models::replication {

template <class Key, class Value>
class FlatMap {
 public:
  struct value_type {  // as std::pair, but trivially copyable
    Key first;
    Value second;
  };
  using iterator = value_type*;
  using const_iterator = const value_type*;

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

  iterator find(const Key& key) {
    auto it = lower(key);
    return it != entries_.end() && it->first == key ? it : entries_.end();
  }
  const_iterator find(const Key& key) const { return const_cast<FlatMap*>(this)->find(key); }
  Value& operator[](const Key& key) {
    auto it = lower(key);
    if (it == entries_.end() || it->first != key) it = entries_.insert(it, value_type{key, Value{}});
    return it->second;
  }
  iterator erase(iterator it) { return entries_.erase(it); }

 private:
  iterator lower(const Key& key) {
    return std::lower_bound(entries_.begin(), entries_.end(), key,
                            [](const value_type& entry, const Key& k) { return entry.first < k; });
  }
  CompactVector<value_type> entries_;
};

}  // namespace models::replication
