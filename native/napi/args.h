// Reading JS arguments and option objects, with errors that name the argument.
#pragma once

#include <ATen/Tensor.h>
#include <napi.h>

#include <string>
#include <utility>
#include <vector>

namespace mveb::args {

// `where` prefixes every message, e.g. "steinScore: options.eta must be a number".
double number(const Napi::Object& options, const char* key, double fallback, const std::string& where);
// An array of numbers, e.g. options.ks = [10, 20]: each must be a finite number.
std::vector<double> numbers(const Napi::Object& options, const char* key, const std::vector<double>& fallback,
                            const std::string& where);
std::string string(const Napi::Object& options, const char* key, const std::string& fallback, const std::string& where);
// One of named values: options[key] must be one of the names (the first is the default);
// otherwise "<where>: options.<key> must be 'a' or 'b', got 'c'".
template <typename T>
T choice(const Napi::Object& options, const char* key, const std::vector<std::pair<std::string, T>>& named,
         const std::string& where) {
  const std::string value = string(options, key, named.front().first, where);
  std::string allowed;
  for (size_t i = 0; i < named.size(); ++i) {
    if (named[i].first == value) return named[i].second;
    allowed += (i == 0 ? "'" : (i + 1 == named.size() ? " or '" : ", '")) + named[i].first + "'";
  }
  throw Napi::TypeError::New(options.Env(),
                             where + ": options." + key + " must be " + allowed + ", got '" + value + "'");
}

// A required string argument, e.g. a path: "<where>: <name> must be a string" otherwise.
std::string requiredString(const Napi::CallbackInfo& info, size_t index, const std::string& where, const char* name);
// An options object, or an empty one when the argument is undefined.
Napi::Object options(const Napi::CallbackInfo& info, size_t index, const std::string& where);
// A JS array of Tensors.
std::vector<at::Tensor> tensors(const Napi::Value& value, const std::string& where, const char* name);
// A JS array of new Tensor objects.
Napi::Array tensorArray(Napi::Env env, const std::vector<at::Tensor>& tensors);

}  // namespace mveb::args
