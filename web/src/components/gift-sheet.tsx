// A bottom sheet over the LIVE stage: a labelled modal dialog that keeps the LIVE playing above it.
// Focus moves into it when it opens (the element marked data-autofocus, else the first control),
// Tab stays inside it, Escape and a tap on the stage above close it. Returning focus to what opened
// it is the opener's job (it knows whether the sheet closed or only gave way to another).
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import '../styles/gifting.css';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Sheet({ labelledBy, className, onClose, children }: { labelledBy: string; className?: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const sheet = ref.current;
    if (!sheet) return;
    const first = sheet.querySelector<HTMLElement>('[data-autofocus]') ?? sheet.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? sheet).focus({ preventScroll: true });
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Tab' || !ref.current) return;
    // Radio groups take one Tab stop (the checked radio), as the browser does.
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked && groupHasChecked(el)));
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <>
      <div className="sheet-scrim" aria-hidden="true" onClick={onClose} />
      <section ref={ref} className={`sheet ${className ?? ''}`} role="dialog" aria-modal="true" aria-labelledby={labelledBy} tabIndex={-1} onKeyDown={onKeyDown}>
        {children}
      </section>
    </>
  );
}

function groupHasChecked(radio: HTMLInputElement): boolean {
  const form = radio.closest('fieldset') ?? radio.form ?? document;
  return form.querySelector(`input[type="radio"][name="${CSS.escape(radio.name)}"]:checked`) !== null;
}
