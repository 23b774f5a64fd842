//! `mixplay-server`: the self-hostable MixPlay mediator.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use mixplay::server::store::DATABASE_FILE;
use mixplay::server::{Location, Mediator, MediatorConfig, MediatorOptions, Store, World};

const USAGE: &str = "\
usage: mixplay-server [--listen ADDR] [--data DIR | --memory] [--world FILE] [--public-url URL]
                      [--transaction-ttl SECONDS] [--memory-limit BYTES] [--access-token-ttl SECONDS]
                      [--shortcode-ttl SECONDS] [--session-ttl SECONDS] [--signup-sparks N]
                      [--spark-interval SECONDS] [--viewer-sockets-per-user N] [--viewer-sockets N]
       mixplay-server --data DIR --backup FILE

  --listen ADDR            address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
  --data DIR               where the database lives (default ./mixplay-data, created if missing):
                           users, tokens, channels, projects, sparks, chat history
  --memory                 keep everything in memory instead (gone when the server stops)
  --world FILE             import a world file (users, channels, projects) at start; importing is
                           idempotent: what the store already holds is left unchanged. Without it, a
                           new, empty store starts with the built-in demo world
  --public-url URL         where clients reach this server, when it is behind a TLS terminator or a
                           reverse proxy (e.g. https://mixplay.example.com): discovery and the channel
                           endpoint then advertise wss:// (for https) or ws:// (for http) addresses
                           under it, browsers may come from it, and cookies are Secure for https
                           (default: ws:// at the Host each request came to)
  --transaction-ttl SECS   how long uncaptured spark transactions live (default 300)
  --memory-limit BYTES     per-session memory cap reported by getMemoryStats (default 0: uncapped)
  --access-token-ttl SECS  lifetime of access tokens from the OAuth short-code flow (default 21600)
  --shortcode-ttl SECS     how long a short code can be approved on /go (default 120)
  --session-ttl SECS       how long a sign-in lasts: browser sessions and login tokens (default 2592000)
  --signup-sparks N        sparks a new account starts with (default 0)
  --spark-interval SECS    the watching economy's interval: signed-in viewers watching a live channel
                           earn 2 sparks (4 subscribed or Pro) per interval (default 60; at least 1)
  --viewer-sockets-per-user N  viewer sockets (open channel pages) one account may hold (default 16)
  --viewer-sockets N       viewer sockets the server holds in all (default 100000)
  --backup FILE            write a consistent copy of the database in --data DIR to FILE (a new file)
                           and exit; safe while a server runs on that folder

The first line printed is `listening on http://HOST:PORT`.";

struct Options {
    mediator: MediatorOptions,
    world_file: Option<PathBuf>,
    backup: Option<PathBuf>,
}

fn seconds(arg: &str, value: String) -> Result<Duration, String> {
    let secs: f64 = value.parse().map_err(|_| format!("{arg} takes a number of seconds"))?;
    if !(0.0..=1e9).contains(&secs) {
        return Err(format!("{arg} takes a number of seconds from 0 to 1000000000"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn count(arg: &str, value: String) -> Result<usize, String> {
    value.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("{arg} takes a whole number above 0"))
}

fn parse_args() -> Result<Options, String> {
    let mut config = MediatorConfig::default();
    let (mut listen, mut data, mut memory) = ("127.0.0.1:8080".to_owned(), None, false);
    let (mut world_file, mut backup) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => listen = value("--listen")?,
            "--data" => data = Some(PathBuf::from(value("--data")?)),
            "--memory" => memory = true,
            "--world" => world_file = Some(PathBuf::from(value("--world")?)),
            "--backup" => backup = Some(PathBuf::from(value("--backup")?)),
            "--transaction-ttl" => config.transaction_ttl = seconds(&arg, value(&arg)?)?,
            "--access-token-ttl" => config.access_token_ttl = seconds(&arg, value(&arg)?)?,
            "--shortcode-ttl" => config.shortcode_ttl = seconds(&arg, value(&arg)?)?,
            "--session-ttl" => config.session_ttl = seconds(&arg, value(&arg)?)?,
            "--memory-limit" => {
                config.memory_limit_bytes =
                    value(&arg)?.parse().map_err(|_| "--memory-limit takes a number of bytes".to_owned())?;
            }
            "--spark-interval" => {
                config.spark_interval = seconds(&arg, value(&arg)?)?;
                if config.spark_interval < Duration::from_secs(1) {
                    return Err("--spark-interval is at least 1 second".to_owned());
                }
            }
            "--viewer-sockets-per-user" => config.viewer_sockets_per_user = count(&arg, value(&arg)?)?,
            "--viewer-sockets" => config.viewer_sockets_max = count(&arg, value(&arg)?)?,
            "--signup-sparks" => {
                config.signup_sparks =
                    value(&arg)?.parse().map_err(|_| "--signup-sparks takes a whole number".to_owned())?;
            }
            "--public-url" => {
                let url = value("--public-url")?;
                if !["http://", "https://", "ws://", "wss://"].iter().any(|p| url.to_ascii_lowercase().starts_with(p)) {
                    return Err("--public-url takes an http:// or https:// URL".to_owned());
                }
                config.public_url = Some(url);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let storage = match (memory, data) {
        (true, Some(_)) => return Err("--memory and --data exclude each other".to_owned()),
        (true, None) => Location::Memory,
        (false, data) => Location::Folder(data.unwrap_or_else(|| PathBuf::from("mixplay-data"))),
    };
    if backup.is_some() && storage == Location::Memory {
        return Err("--backup copies the database of --data DIR; there is nothing to back up with --memory".to_owned());
    }
    Ok(Options { mediator: MediatorOptions { listen, storage, world: None, config }, world_file, backup })
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("mixplay-server: {message}");
    std::process::exit(1);
}

fn main() {
    let mut options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mixplay-server: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Some(path) = &options.world_file {
        options.mediator.world = Some(World::from_file(path).unwrap_or_else(|e| fail(e)));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        if let Some(file) = options.backup {
            if let Location::Folder(dir) = &options.mediator.storage {
                if !dir.join(DATABASE_FILE).exists() {
                    fail(format!("there is no database in {} to back up", dir.display()));
                }
            }
            let store = Store::open(options.mediator.storage).await.unwrap_or_else(|e| fail(e));
            store.backup_to(&file).await.unwrap_or_else(|e| fail(e));
            eprintln!("mixplay-server: backed up the database to {}", file.display());
            return;
        }
        let storage = options.mediator.storage.clone();
        let mediator = Mediator::launch(options.mediator).await.unwrap_or_else(|e| fail(e));
        println!("listening on {}", mediator.base_url());
        let _ = std::io::stdout().flush();
        match &storage {
            Location::Folder(dir) => eprintln!("mixplay-server: data in {}", dir.display()),
            Location::Memory => eprintln!("mixplay-server: data in memory only (--memory)"),
        }
        if let Some(summary) = mediator.imported() {
            eprintln!("mixplay-server: world imported: {summary}");
        }
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("mixplay-server: shutting down");
        mediator.shutdown().await;
    });
}
