// Cutting views out of a decoded image: crop, antialiased bicubic resize (the filter and
// coefficients of PIL's resample and of torchvision's resize(antialias=True)), horizontal
// flip, uint8 in and out. Runs on the caller's thread (a view worker).
#pragma once

#include <cstdint>
#include <vector>

namespace mveb {

struct CropView {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  int size = 0;  // square output side
  bool flip = false;
};

// Filter taps for resampling `inputSize` samples to `outputSize`: for output i, the
// taps start at first[i] and have weights[i * span .. i * span + count[i]).
struct ResampleTaps {
  int span = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;
};

// Keys' cubic convolution with a = −0.5, as PIL and ATen's antialiased bicubic.
double bicubicFilter(double x);
ResampleTaps resampleTaps(int inputSize, int outputSize);

// image: height × width × channels (1 or 3) bytes; each output: size × size × 3 bytes.
// Throws std::invalid_argument for a crop outside the image.
void cutViews(const uint8_t* image, int width, int height, int channels, const std::vector<CropView>& views,
              const std::vector<uint8_t*>& outputs);

}  // namespace mveb
