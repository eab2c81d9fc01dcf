#!/usr/bin/env node
// The impairment relay's command line; see docs/impairment-relay.md. Needs the build (tsc -b).
import "../dist/impair/cli.js";
