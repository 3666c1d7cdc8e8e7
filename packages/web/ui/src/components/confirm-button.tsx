import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/**
 * A button whose action asks first, inline rather than with window.confirm: the question and its
 * answers are real buttons in the page, reachable by keyboard, and the first answer takes the focus.
 */
export function ConfirmButton(props: {
  readonly label: string;
  readonly question: ComponentChildren;
  readonly confirmLabel: string;
  readonly disabled?: boolean;
  readonly onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const answer = useRef<HTMLButtonElement>(null);
  // Focus moves to the answer once, when the question appears (not on every re-render).
  useEffect(() => {
    if (asking) answer.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" disabled={props.disabled} onClick={() => setAsking(true)}>
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
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Keep it
      </button>
    </span>
  );
}
