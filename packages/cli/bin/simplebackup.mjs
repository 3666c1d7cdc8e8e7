#!/usr/bin/env node
// A committed launcher, so pnpm can link the bin before the first build.
import { fileURLToPath } from "node:url";
import { launch } from "../dist/launch.js";

launch(fileURLToPath(new URL("../dist/bin.cjs", import.meta.url)));
