#!/usr/bin/env node
// A committed launcher, so pnpm can link the bin before the first build.
import { launch } from "../dist/launch.js";

launch(new URL("../dist/bin.cjs", import.meta.url).pathname);
