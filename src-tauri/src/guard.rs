//! A panic inside a command must not take the window down or leave the UI waiting on a promise that
//! never settles: every command runs guarded, and a panic comes back as an `AppError` the UI shows.
//! The panic's text is never shown or logged (a slicing panic quotes the string it sliced, which may
//! be directory data): only where it happened.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use scim_services::AppError;

/// Where the last panic happened (`file:line`), recorded by the hook for the error message.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic hook: one line on stderr with the place, no payload.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown place".to_owned());
        eprintln!("SCIM Explorer: internal error at {place} (the action was stopped; the window keeps working)");
        *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(place);
    }));
}

fn panic_error() -> AppError {
    let place = LAST_PANIC
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .unwrap_or_else(|| "an unknown place".to_owned());
    AppError::internal(format!(
        "SCIM Explorer hit an internal error ({place}) and stopped this action; nothing else was affected and the window keeps working. This is a bug: please report it."
    ))
}

/// A future whose panics become an error.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Some(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(None),
        }
    }
}

/// Runs an async command body; a panic becomes an `AppError`.
pub async fn guarded<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    CatchUnwind(Box::pin(body))
        .await
        .unwrap_or_else(|| Err(panic_error()))
}

/// Runs a command body; a panic becomes an `AppError`.
pub fn guarded_sync<T>(body: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| Err(panic_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_command_returns_an_error_and_the_next_one_works() {
        install_panic_hook();
        let failed: Result<u32, AppError> = guarded_sync(|| {
            let s = "Numéro";
            let _ = &s[..4];
            Ok(1)
        });
        let e = failed.expect_err("the panic became an error");
        assert!(
            e.message
                .contains("internal error (src-tauri/src/guard.rs:"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("Numéro"), "no payload: {}", e.message);
        assert_eq!(guarded_sync(|| Ok::<_, AppError>(2)).ok(), Some(2));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let failed = runtime.block_on(guarded(async {
            let v: Vec<u32> = Vec::new();
            Ok::<u32, AppError>(v[3])
        }));
        assert!(failed.is_err());
        assert_eq!(
            runtime
                .block_on(guarded(async { Ok::<_, AppError>(3) }))
                .ok(),
            Some(3)
        );
    }
}
