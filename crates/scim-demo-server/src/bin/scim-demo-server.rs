//! Standalone demo server: `scim-demo-server [--port P] [--users N] [--token T] [--max-results N]
//! [--profile rfc|netdata|profiles-projects|secoda] [--latency-ms MS] [--throttle-every N]`.
//! Prints the base URL on start and serves until killed.

use scim_demo_server::{DemoConfig, DemoServer, Profile, SeedOptions};

fn usage() -> ! {
    eprintln!(
        "usage: scim-demo-server [--port P] [--users N] [--token T] [--max-results N] [--profile {}] [--latency-ms MS] [--throttle-every N]",
        Profile::NAMES.join("|")
    );
    std::process::exit(2)
}

fn main() {
    let mut config = DemoConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--port" => config.port = value().parse().unwrap_or_else(|_| usage()),
            "--users" => {
                config.seed = SeedOptions {
                    users: value().parse().unwrap_or_else(|_| usage()),
                    ..config.seed
                }
            }
            "--token" => config.token = Some(value()),
            "--max-results" => config.max_results = value().parse().unwrap_or_else(|_| usage()),
            "--profile" => config.profile = Profile::parse(&value()).unwrap_or_else(|| usage()),
            "--latency-ms" => config.latency_ms = value().parse().unwrap_or_else(|_| usage()),
            "--throttle-every" => {
                config.throttle_every = Some(value().parse().unwrap_or_else(|_| usage()))
            }
            _ => usage(),
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(async {
        match DemoServer::start(config).await {
            Ok(server) => {
                println!("{}", server.base_url);
                let _ = tokio::signal::ctrl_c().await;
                server.stop().await;
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    });
}
