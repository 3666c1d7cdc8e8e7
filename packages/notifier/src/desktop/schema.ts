import { expected } from "@simplebackup/core";
import * as z from "zod";
import { displayName, onFilter } from "../config/zod-helpers.js";
import type { DesktopOptions } from "./desktop.js";

/**
 * The desktop entry as a config file writes it. Kept apart from desktop.ts so that validating a config
 * never loads the notifier itself.
 */
export const desktopOptionsSchema = z
  .strictObject(
    {
      sound: z
        .boolean(expected("true or false"))
        .optional()
        .describe("Play the notification sound. Default: false."),
      icon: z
        .string(expected("an image path"))
        .min(1, expected("an image path"))
        .optional()
        .describe("An image shown with the notification; relative to the config file's folder."),
      on: onFilter(),
      name: displayName(),
    },
    expected("an object with optional sound, icon, on"),
  )
  .transform((options): DesktopOptions => options);
