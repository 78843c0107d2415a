// Duration distributions in scenario files.
#include "sim/config/distribution_reader.h"

#include "sim/config/units.h"

namespace sim::config {

DurationDistribution read_duration_distribution(const Node& node) {
  ObjectReader object = node.object();
  const std::string shape =
      object.required("dist").one_of({"constant", "uniform", "exponential", "lognormal"});
  DurationDistribution result;
  if (shape == "constant") {
    result = DurationDistribution::constant(object.required("value").duration_allow_zero());
  } else if (shape == "uniform") {
    const Duration low = object.required("min").duration_allow_zero();
    const Node high_node = object.required("max");
    const Duration high = high_node.duration_allow_zero();
    if (high < low) high_node.fail("a duration at least \"min\" (" + format_duration(low) + ")", "\"" + format_duration(high) + "\"");
    result = DurationDistribution::uniform(low, high);
  } else if (shape == "exponential") {
    const Duration mean = object.required("mean").duration();
    Duration offset;
    if (auto n = object.optional("offset")) offset = n->duration_allow_zero();
    result = DurationDistribution::exponential(offset, mean);
  } else {
    const Duration median = object.required("median").duration();
    const double sigma = object.required("sigma").number_in(0.0, 5.0);
    result = DurationDistribution::lognormal(median, sigma);
  }
  if (auto n = object.optional("floor")) result.floor = n->duration_allow_zero();
  if (auto n = object.optional("ceiling")) {
    result.ceiling = n->duration();
    if (result.ceiling < result.floor)
      n->fail("a ceiling at least the floor (" + format_duration(result.floor) + ")",
              "\"" + format_duration(result.ceiling) + "\"");
  }
  object.finish();
  return result;
}

nlohmann::json write_duration_distribution(const DurationDistribution& d) {
  nlohmann::json out;
  switch (d.shape) {
    case DurationDistribution::Shape::constant:
      out = {{"dist", "constant"}, {"value", format_duration(d.value)}};
      break;
    case DurationDistribution::Shape::uniform:
      out = {{"dist", "uniform"}, {"min", format_duration(d.value)}, {"max", format_duration(d.high)}};
      break;
    case DurationDistribution::Shape::exponential:
      out = {{"dist", "exponential"}, {"mean", format_duration(d.mean)}, {"offset", format_duration(d.value)}};
      break;
    case DurationDistribution::Shape::lognormal:
      out = {{"dist", "lognormal"}, {"median", format_duration(d.value)}, {"sigma", d.sigma}};
      break;
  }
  if (d.floor > Duration::zero()) out["floor"] = format_duration(d.floor);
  if (d.ceiling != Duration::max()) out["ceiling"] = format_duration(d.ceiling);
  return out;
}

}  // namespace sim::config
