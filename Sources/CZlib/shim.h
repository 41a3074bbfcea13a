// The system zlib (Debian: zlib1g-dev), used by the telemetry runtime to gzip OTLP request bodies.
#include <zlib.h>
