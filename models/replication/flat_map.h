// A small ordered map over a sorted vector: 24 bytes empty instead of std::map's 48, one
// allocation for all its entries, iteration in key order. For maps that stay small (a leader's
// writes in flight); inserting in the middle moves the entries after it.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

namespace models::replication {

template <class Key, class Value>
class FlatMap {
 public:
  using value_type = std::pair<Key, Value>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

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
  std::vector<value_type> entries_;
};

}  // namespace models::replication
