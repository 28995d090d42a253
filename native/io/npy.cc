#include "io/npy.h"

#include <array>
#include <cstring>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace mveb::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlignment = 64;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("'" + path + "' is not a valid .npy file: " + why);
}

std::string dictValue(const std::string& dict, const std::string& key, const std::string& path) {
  // Values are a quoted string, True/False, or a parenthesised tuple.
  std::regex pattern("['\"]" + key + "['\"]\\s*:\\s*('[^']*'|\"[^\"]*\"|True|False|\\([^)]*\\))");
  std::smatch match;
  if (!std::regex_search(dict, match, pattern)) fail(path, "header has no '" + key + "'");
  return match[1].str();
}

std::vector<int64_t> parseShape(const std::string& tuple, const std::string& path) {
  std::vector<int64_t> shape;
  std::string inner = tuple.substr(1, tuple.size() - 2);
  std::stringstream items(inner);
  std::string item;
  while (std::getline(items, item, ',')) {
    auto begin = item.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;  // trailing comma of a 1-tuple
    auto end = item.find_last_not_of(" \tL");
    std::string digits = item.substr(begin, end - begin + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
      fail(path, "bad dimension '" + digits + "' in shape " + tuple);
    if (digits.size() > 15) fail(path, "dimension " + digits + " in shape " + tuple + " is too large");
    shape.push_back(std::stoll(digits));
  }
  return shape;
}

}  // namespace

Header readHeader(std::istream& in, const std::string& path) {
  std::array<char, kMagicSize + 2> prefix{};
  if (!in.read(prefix.data(), prefix.size())) fail(path, "file shorter than the .npy magic");
  if (std::memcmp(prefix.data(), kMagic, kMagicSize) != 0) fail(path, "missing \\x93NUMPY magic");
  const int major = static_cast<unsigned char>(prefix[kMagicSize]);
  uint32_t headerLength = 0;
  int64_t lengthFieldSize = 0;
  if (major == 1) {
    std::array<unsigned char, 2> len{};
    if (!in.read(reinterpret_cast<char*>(len.data()), len.size())) fail(path, "truncated header length");
    headerLength = len[0] | (len[1] << 8);
    lengthFieldSize = 2;
  } else if (major == 2 || major == 3) {
    std::array<unsigned char, 4> len{};
    if (!in.read(reinterpret_cast<char*>(len.data()), len.size())) fail(path, "truncated header length");
    headerLength = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<uint32_t>(len[3]) << 24);
    lengthFieldSize = 4;
  } else {
    fail(path, "unsupported format version " + std::to_string(major));
  }
  std::string dict(headerLength, '\0');
  if (!in.read(dict.data(), headerLength)) fail(path, "truncated header");

  Header header;
  std::string descr = dictValue(dict, "descr", path);
  header.descr = descr.substr(1, descr.size() - 2);
  header.fortranOrder = dictValue(dict, "fortran_order", path) == "True";
  header.shape = parseShape(dictValue(dict, "shape", path), path);
  header.dataOffset = static_cast<int64_t>(kMagicSize + 2) + lengthFieldSize + headerLength;
  return header;
}

std::string formatHeader(const std::string& descr, const std::vector<int64_t>& shape) {
  std::string tuple = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    tuple += std::to_string(shape[i]);
    tuple += (shape.size() == 1 || i + 1 < shape.size()) ? "," : "";
    if (i + 1 < shape.size()) tuple += " ";
  }
  tuple += ")";
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
  // Magic + version + 2-byte length + dict + '\n' is padded to a multiple of 64.
  const size_t fixed = kMagicSize + 2 + 2;
  size_t total = fixed + dict.size() + 1;
  dict.append((kAlignment - total % kAlignment) % kAlignment, ' ');
  dict += '\n';
  if (dict.size() > 0xFFFF) throw std::runtime_error("npy header too long for format 1.0");
  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>((dict.size() >> 8) & 0xFF);
  out += dict;
  return out;
}

}  // namespace mveb::npy
