// A simplebackup notifier plugin: posts each notification to a chat webhook as { "text": "…" }.
import { defineNotifier, formatMessage } from "@simplebackup/notifier";
import * as z from "zod";

// Checked by simplebackup before the factory runs; problems show as notifications[0].options.url.
export const optionsSchema = z.object({ url: z.url(), token: z.string().min(1) });

export default defineNotifier((options) => ({
  name: "chat",
  async notify(event, context) {
    const { title, body } = formatMessage(event);
    const response = await fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ text: `${title}\n${body}` }),
      signal: context?.signal, // the hub aborts a call that takes too long
    });
    if (!response.ok) throw new Error(`chat answered ${response.status}`);
  },
}));
