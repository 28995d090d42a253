// Reading JS arguments and option objects, with errors that name the argument.
#pragma once

#include <ATen/Tensor.h>
#include <napi.h>

#include <string>
#include <vector>

namespace mveb::args {

// `where` prefixes every message, e.g. "steinScore: options.eta must be a number".
double number(const Napi::Object& options, const char* key, double fallback, const std::string& where);
std::string string(const Napi::Object& options, const char* key, const std::string& fallback,
                   const std::string& where);
// A required string argument, e.g. a path: "<where>: <name> must be a string" otherwise.
std::string requiredString(const Napi::CallbackInfo& info, size_t index, const std::string& where, const char* name);
// An options object, or an empty one when the argument is undefined.
Napi::Object options(const Napi::CallbackInfo& info, size_t index, const std::string& where);
// A JS array of Tensors.
std::vector<at::Tensor> tensors(const Napi::Value& value, const std::string& where, const char* name);
// A JS array of new Tensor objects.
Napi::Array tensorArray(Napi::Env env, const std::vector<at::Tensor>& tensors);

}  // namespace mveb::args
