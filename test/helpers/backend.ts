// Runs a test body on one backend, then restores the one that was selected.
import * as cr from "chainrule";

export function onBackend<T>(name: string, fn: () => T): T {
  const previous = cr.getBackend();
  cr.setBackend(name);
  try {
    return fn();
  } finally {
    cr.setBackend(previous);
  }
}
