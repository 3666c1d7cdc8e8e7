#!/usr/bin/env node
// A committed launcher, so pnpm can link the bin before the first build.
import "../dist/bin.js";
