import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/**
 * A button whose action asks first, inline rather than with window.confirm: the question and its
 * answers are real buttons in the page, reachable by keyboard, and the first answer takes the focus.
 * Escape answers no; after either answer the focus goes back to the button, not to the page's top.
 */
export function ConfirmButton(props: {
  readonly label: string;
  readonly question: ComponentChildren;
  readonly confirmLabel: string;
  /** @default "Keep it" */
  readonly declineLabel?: string;
  readonly disabled?: boolean;
  readonly onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const answer = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  // Focus moves to the answer once, when the question appears (not on every re-render), and back to
  // the button once it is answered.
  useEffect(() => {
    if (asking) answer.current?.focus();
    else if (answered.current) trigger.current?.focus();
    answered.current = false;
  }, [asking]);
  const close = () => {
    answered.current = true;
    setAsking(false);
  };
  // On each answer rather than around them: the focus is always on one of the two.
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === "Escape") close();
  };
  if (!asking) {
    return (
      <button type="button" ref={trigger} disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm">
      <span>{props.question}</span>
      <button
        type="button"
        class="danger"
        ref={answer}
        onKeyDown={closeOnEscape}
        onClick={() => {
          close();
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" onClick={close} onKeyDown={closeOnEscape}>
        {props.declineLabel ?? "Keep it"}
      </button>
    </span>
  );
}
