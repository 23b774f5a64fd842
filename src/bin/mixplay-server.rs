//! `mixplay-server`: the self-hostable MixPlay mediator.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use mixplay::server::{Mediator, MediatorConfig, World};

const USAGE: &str = "\
usage: mixplay-server [--listen ADDR] [--world FILE] [--transaction-ttl SECONDS] [--memory-limit BYTES]
                      [--public-url URL] [--access-token-ttl SECONDS] [--shortcode-ttl SECONDS]

  --listen ADDR            address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
  --world FILE             world file (users, channels, projects); default: the built-in demo world
  --transaction-ttl SECS   how long uncaptured spark transactions live (default 300)
  --memory-limit BYTES     per-session memory cap reported by getMemoryStats (default 0: uncapped)
  --public-url URL         where clients reach this server, when it is behind a TLS terminator or a
                           reverse proxy (e.g. https://mixplay.example.com): discovery and the channel
                           endpoint then advertise wss:// (for https) or ws:// (for http) addresses
                           under it (default: ws:// at the Host each request came to)
  --access-token-ttl SECS  lifetime of access tokens from the OAuth short-code flow (default 21600)
  --shortcode-ttl SECS     how long a short code can be approved on /go (default 120)

The first line printed is `listening on http://HOST:PORT`.";

struct Options {
    listen: String,
    world: Option<PathBuf>,
    config: MediatorConfig,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options { listen: "127.0.0.1:8080".into(), world: None, config: MediatorConfig::default() };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => options.listen = value("--listen")?,
            "--world" => options.world = Some(PathBuf::from(value("--world")?)),
            "--transaction-ttl" => {
                let secs: f64 = value("--transaction-ttl")?
                    .parse()
                    .map_err(|_| "--transaction-ttl takes a number of seconds".to_owned())?;
                options.config.transaction_ttl = Duration::from_secs_f64(secs.max(0.0));
            }
            "--memory-limit" => {
                options.config.memory_limit_bytes = value("--memory-limit")?
                    .parse()
                    .map_err(|_| "--memory-limit takes a number of bytes".to_owned())?;
            }
            "--access-token-ttl" | "--shortcode-ttl" => {
                let secs: f64 = value(&arg)?.parse().map_err(|_| format!("{arg} takes a number of seconds"))?;
                let ttl = Duration::from_secs_f64(secs.max(0.0));
                if arg == "--access-token-ttl" {
                    options.config.access_token_ttl = ttl;
                } else {
                    options.config.shortcode_ttl = ttl;
                }
            }
            "--public-url" => {
                let url = value("--public-url")?;
                if !["http://", "https://", "ws://", "wss://"].iter().any(|p| url.to_ascii_lowercase().starts_with(p)) {
                    return Err("--public-url takes an http:// or https:// URL".to_owned());
                }
                options.config.public_url = Some(url);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mixplay-server: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let world = match &options.world {
        Some(path) => match World::from_file(path) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("mixplay-server: {e}");
                std::process::exit(1);
            }
        },
        None => World::demo(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let mediator = match Mediator::start(&options.listen, world, options.config).await {
            Ok(m) => m,
            Err(e) => {
                eprintln!("mixplay-server: cannot listen on {}: {e}", options.listen);
                std::process::exit(1);
            }
        };
        println!("listening on {}", mediator.base_url());
        let _ = std::io::stdout().flush();
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("mixplay-server: shutting down");
        mediator.shutdown().await;
    });
}
