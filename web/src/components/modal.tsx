// A centred modal dialog for the account pages (the browser's own <dialog>, shown modal: the rest of
// the page is inert, Tab stays inside, Escape asks to close). Focus goes to its first control when it
// opens and back to whatever had it before when it closes.
import { useEffect, useRef, type ReactNode } from 'react';

export function Modal({ labelledBy, describedBy, onClose, children }: { labelledBy: string; describedBy?: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open === true) dialog.close();
      if (opener?.isConnected === true) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(event) => {
        // Escape: the owner decides (it may be busy acting), and unmounts the dialog to close it.
        event.preventDefault();
        onClose();
      }}
    >
      {children}
    </dialog>
  );
}
