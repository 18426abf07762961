// Reference implementation for the regression tests and the benchmark baseline: reads an image the
// way SimpleITK's ReadImage does (a DICOM series through ImageSeriesReader + GDCMImageIO +
// GDCMSeriesFileNames, a single file through ImageFileReader, pixel type as the ImageIO reports it)
// and runs itk::OtsuThresholdImageFilter like `sitk.OtsuThreshold(img, 0, 1)` (128 bins, inside 0,
// outside 1). Prints one JSON object on stdout; it is not part of the shipped algorithm.
//
// usage: itk-otsu <dicom dir | dicom file | nrrd | nifti> [--bins N] [--series-uid UID]
//                 [--mask-raw FILE] [--write-nrrd FILE] [--repeat N]
//        itk-otsu --synthetic WxHxD [--bins N] [--repeat N]      (int16 volume, same generator as the bench)
#include "itkGDCMImageIO.h"
#include "itkGDCMSeriesFileNames.h"
#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkImageSeriesReader.h"
#include "itkOtsuThresholdImageFilter.h"
#include "gdcmTrace.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace
{
constexpr unsigned int Dim = 3;
using MaskType = itk::Image<uint8_t, Dim>;

struct Options
{
  std::string input;
  std::string seriesUid;
  std::string maskRaw;
  std::string writeNrrd;
  std::string synthetic;
  unsigned    bins = 128;
  unsigned    repeat = 1;
};

double
nowMs()
{
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

bool
isDirectory(const std::string & p)
{
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string
fmt(double v)
{
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::vector<std::string>
seriesFiles(const Options & o, std::string & uidOut)
{
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(false); // SimpleITK's GetGDCMSeriesFileNames default
  names->SetDirectory(o.input);
  const auto & uids = names->GetSeriesUIDs();
  if (uids.empty())
  {
    throw std::runtime_error("no DICOM series in " + o.input);
  }
  uidOut = o.seriesUid.empty() ? uids.front() : o.seriesUid;
  return names->GetFileNames(uidOut);
}

// The same xorshift32 generator as algorithm/bench/synthetic.mjs: a bright disc on noise.
template <typename TImage>
typename TImage::Pointer
makeSynthetic(const std::string & spec)
{
  unsigned w = 0, h = 0, d = 0;
  if (std::sscanf(spec.c_str(), "%ux%ux%u", &w, &h, &d) != 3)
  {
    throw std::runtime_error("--synthetic wants WxHxD");
  }
  auto                           img = TImage::New();
  typename TImage::RegionType    region;
  typename TImage::SizeType      size = { { w, h, d } };
  region.SetSize(size);
  img->SetRegions(region);
  img->Allocate();
  auto *   buf = img->GetBufferPointer();
  uint32_t s = 2463534242u;
  size_t   i = 0;
  for (unsigned z = 0; z < d; ++z)
    for (unsigned y = 0; y < h; ++y)
      for (unsigned x = 0; x < w; ++x, ++i)
      {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        const int dx = int(x) - int(w / 2), dy = int(y) - int(h / 2);
        const int base = (dx * dx + dy * dy) * 9 < int(w * w) ? 1200 : -800;
        buf[i] = static_cast<typename TImage::PixelType>(base + int(s & 511u) - 256);
      }
  return img;
}

template <typename TPixel>
int
runTyped(const Options & o, const std::string & ioComponent)
{
  using ImageType = itk::Image<TPixel, Dim>;
  typename ImageType::Pointer image;
  std::string                 seriesUid;
  std::vector<double>         readMs;

  for (unsigned r = 0; r < o.repeat; ++r)
  {
    const double t0 = nowMs();
    if (!o.synthetic.empty())
    {
      image = makeSynthetic<ImageType>(o.synthetic);
    }
    else if (isDirectory(o.input))
    {
      auto reader = itk::ImageSeriesReader<ImageType>::New();
      reader->SetImageIO(itk::GDCMImageIO::New());
      reader->SetFileNames(seriesFiles(o, seriesUid));
      reader->Update();
      image = reader->GetOutput();
    }
    else
    {
      auto reader = itk::ImageFileReader<ImageType>::New();
      reader->SetFileName(o.input);
      reader->Update();
      image = reader->GetOutput();
    }
    image->DisconnectPipeline();
    readMs.push_back(nowMs() - t0);
  }

  using FilterType = itk::OtsuThresholdImageFilter<ImageType, MaskType>;
  typename FilterType::Pointer filter;
  std::vector<double>          otsuMs;
  for (unsigned r = 0; r < o.repeat; ++r)
  {
    const double t0 = nowMs();
    filter = FilterType::New();
    filter->SetInput(image);
    filter->SetNumberOfHistogramBins(o.bins);
    filter->SetInsideValue(0);
    filter->SetOutsideValue(1);
    filter->Update();
    otsuMs.push_back(nowMs() - t0);
  }
  MaskType::Pointer mask = filter->GetOutput();

  std::vector<double> writeMs;
  if (!o.writeNrrd.empty())
  {
    for (unsigned r = 0; r < o.repeat; ++r)
    {
      const double t0 = nowMs();
      auto         writer = itk::ImageFileWriter<MaskType>::New();
      writer->SetInput(mask);
      writer->SetFileName(o.writeNrrd);
      writer->SetUseCompression(true);
      writer->Update();
      writeMs.push_back(nowMs() - t0);
    }
  }

  const auto     n = mask->GetBufferedRegion().GetNumberOfPixels();
  const uint8_t * m = mask->GetBufferPointer();
  uint64_t       foreground = 0;
  for (size_t i = 0; i < n; ++i)
  {
    foreground += m[i] == 1;
  }
  if (!o.maskRaw.empty())
  {
    std::ofstream out(o.maskRaw, std::ios::binary);
    out.write(reinterpret_cast<const char *>(m), static_cast<std::streamsize>(n));
  }

  auto list = [](const std::vector<double> & v) {
    std::ostringstream s;
    s << '[';
    for (size_t i = 0; i < v.size(); ++i)
      s << (i ? "," : "") << fmt(v[i]);
    s << ']';
    return s.str();
  };
  const auto & size = image->GetLargestPossibleRegion().GetSize();
  const auto & spacing = image->GetSpacing();
  const auto & origin = image->GetOrigin();
  const auto & dir = image->GetDirection();
  std::vector<double> sz, sp, org, dr;
  for (unsigned i = 0; i < Dim; ++i)
  {
    sz.push_back(static_cast<double>(size[i]));
    sp.push_back(spacing[i]);
    org.push_back(origin[i]);
  }
  for (unsigned r = 0; r < Dim; ++r)
    for (unsigned c = 0; c < Dim; ++c)
      dr.push_back(dir[r][c]);

  std::cout << "{\"itkVersion\":\"" << ITK_VERSION_STRING << "\",\"componentType\":\"" << ioComponent
            << "\",\"seriesUid\":\"" << seriesUid << "\",\"threshold\":" << fmt(static_cast<double>(filter->GetThreshold()))
            << ",\"bins\":" << o.bins << ",\"foregroundVoxels\":" << foreground << ",\"totalVoxels\":" << n
            << ",\"size\":" << list(sz) << ",\"spacing\":" << list(sp) << ",\"origin\":" << list(org)
            << ",\"direction\":" << list(dr) << ",\"readMs\":" << list(readMs) << ",\"otsuMs\":" << list(otsuMs)
            << ",\"writeMs\":" << list(writeMs) << "}" << std::endl;
  return 0;
}

int
dispatch(const Options & o)
{
  if (!o.synthetic.empty())
  {
    return runTyped<int16_t>(o, "int16");
  }
  itk::ImageIOBase::Pointer io;
  std::string               first = o.input;
  if (isDirectory(o.input))
  {
    std::string uid;
    first = seriesFiles(o, uid).front();
    io = itk::GDCMImageIO::New();
  }
  else
  {
    io = itk::ImageIOFactory::CreateImageIO(first.c_str(), itk::IOFileModeEnum::ReadMode);
    if (!io)
    {
      throw std::runtime_error("no ImageIO can read " + first);
    }
  }
  io->SetFileName(first);
  io->ReadImageInformation();
  if (io->GetNumberOfComponents() != 1)
  {
    throw std::runtime_error("only scalar images: " + first);
  }
  using C = itk::IOComponentEnum;
  const std::string name = itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType());
  switch (io->GetComponentType())
  {
    case C::UCHAR: return runTyped<uint8_t>(o, "uint8");
    case C::CHAR: return runTyped<int8_t>(o, "int8");
    case C::USHORT: return runTyped<uint16_t>(o, "uint16");
    case C::SHORT: return runTyped<int16_t>(o, "int16");
    case C::UINT: return runTyped<uint32_t>(o, "uint32");
    case C::INT: return runTyped<int32_t>(o, "int32");
    case C::ULONG: case C::ULONGLONG: return runTyped<uint64_t>(o, "uint64");
    case C::LONG: case C::LONGLONG: return runTyped<int64_t>(o, "int64");
    case C::FLOAT: return runTyped<float>(o, "float32");
    case C::DOUBLE: return runTyped<double>(o, "float64");
    default: throw std::runtime_error("unsupported component type " + name);
  }
}
} // namespace

int
main(int argc, char * argv[])
{
  itk::Object::GlobalWarningDisplayOff();
  gdcm::Trace::WarningOff();
  gdcm::Trace::DebugOff();
  Options o;
  for (int i = 1; i < argc; ++i)
  {
    const std::string a = argv[i];
    auto              next = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    try
    {
      if (a == "--bins") o.bins = static_cast<unsigned>(std::stoul(next()));
      else if (a == "--series-uid") o.seriesUid = next();
      else if (a == "--mask-raw") o.maskRaw = next();
      else if (a == "--write-nrrd") o.writeNrrd = next();
      else if (a == "--repeat") o.repeat = static_cast<unsigned>(std::stoul(next()));
      else if (a == "--synthetic") o.synthetic = next();
      else o.input = a;
    }
    catch (const std::exception & e)
    {
      std::cerr << "itk-otsu: " << e.what() << std::endl;
      return 2;
    }
  }
  if (o.input.empty() && o.synthetic.empty())
  {
    std::cerr << "usage: itk-otsu <input> [--bins N] [--series-uid UID] [--mask-raw FILE] [--write-nrrd FILE] "
                 "[--repeat N] | --synthetic WxHxD"
              << std::endl;
    return 2;
  }
  try
  {
    return dispatch(o);
  }
  catch (const std::exception & e)
  {
    std::cerr << "itk-otsu: " << e.what() << std::endl;
    return 1;
  }
}
