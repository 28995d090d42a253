// A JS value as a LibTorch IValue, for pickling: objects become dicts with string keys
// (in insertion order), arrays lists, integers int, other numbers float, strings, booleans,
// null None, Tensors tensors (saved from the CPU).
#pragma once

#include <ATen/core/ivalue.h>
#include <napi.h>

#include <string>

namespace mveb {

// `where` names the value in errors: "saveCheckpoint: value.config.arch is a function".
c10::IValue ivalueFromJs(const Napi::Value& value, const std::string& where);

}  // namespace mveb
