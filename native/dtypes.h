// The dtypes that cross the JS boundary and .npy files, and their names.
#pragma once

#include <c10/core/ScalarType.h>

#include <array>
#include <stdexcept>
#include <string>

namespace mveb {

struct DtypeName {
  c10::ScalarType type;
  const char* name;      // as JS sees it
  const char* npyDescr;  // little-endian NumPy descr
};

inline constexpr std::array<DtypeName, 4> kDtypes{{
    {c10::ScalarType::Float, "float32", "<f4"},
    {c10::ScalarType::Double, "float64", "<f8"},
    {c10::ScalarType::Long, "int64", "<i8"},
    {c10::ScalarType::Byte, "uint8", "|u1"},
}};

inline std::string supportedDtypes() { return "float32, float64, int64, uint8"; }

inline const DtypeName& dtypeOf(c10::ScalarType type) {
  for (const auto& d : kDtypes)
    if (d.type == type) return d;
  throw std::invalid_argument(std::string("dtype ") + c10::toString(type) +
                              " is not supported here (supported: " + supportedDtypes() + ")");
}

inline const DtypeName& dtypeOfNpyDescr(const std::string& descr) {
  // NumPy writes uint8 as '|u1'; '<u1' and '=' byte orders mean the same on little-endian hosts.
  std::string normal = descr;
  if (normal.size() == 3 && (normal[0] == '=' || (normal[0] == '<' && normal[1] == 'u' && normal[2] == '1')))
    normal[0] = normal[1] == 'u' ? '|' : '<';
  for (const auto& d : kDtypes)
    if (normal == d.npyDescr) return d;
  throw std::invalid_argument("unsupported .npy dtype '" + descr +
                              "' (supported: float32 '<f4', float64 '<f8', "
                              "int64 '<i8', uint8 '|u1')");
}

}  // namespace mveb
