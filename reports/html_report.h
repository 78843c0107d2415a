// report.html, written beside report.json with every run: one file a browser opens without a
// network, its charts inline SVG drawn by ddbsim from report.json alone: availability and
// request rate per minute with fault, alarm and deployment windows shaded, canaries per minute,
// availability by AZ, failed requests by kind, latency over the run, variants side by side with
// their deltas, and every check. A figure with no data says "no data" (a gap in a line), never
// a good value.
#pragma once

#include "reports/report.h"

#include <string>

namespace reports {

std::string render_html(const Json& report);

}  // namespace reports
