//! `mixplay-server`: the self-hostable MixPlay mediator.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use mixplay::server::config::{flag, FLAGS};
use mixplay::server::store::DATABASE_FILE;
use mixplay::server::{raise_open_files_limit, Location, Mediator, MediatorConfig, MediatorOptions, Store, World};

const USAGE: &str = "\
usage: mixplay-server [--listen ADDR] [--data DIR | --memory] [--world FILE] [--public-url URL]
                      [--trusted-proxies ADDR,... | none] [--admin NAME]... [--revoke-admin NAME]...
                      [SETTING VALUE ...]
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
  --trusted-proxies LIST   peers whose X-Forwarded-For names the client, comma-separated, or none
                           (default 127.0.0.1,::1: a reverse proxy on this host); their own
                           connections are not limited per address
  --admin NAME             give the user NAME the admin role at start (admins review the versions
                           submitted in the Studio); may be repeated
  --revoke-admin NAME      take the admin role away from NAME at start; may be repeated
  --backup FILE            write a consistent copy of the database in --data DIR to FILE (a new file)
                           and exit; safe while a server runs on that folder

Settings and limits (SECS may have a fraction; a RATE is BURST/SECS, e.g. 30/60, or off):";

/// The help: the fixed part, then every setting with its default.
fn usage() -> String {
    let defaults = MediatorConfig::default();
    let mut text = USAGE.to_owned();
    for flag in FLAGS {
        let name = format!("{} {}", flag.name, flag.value);
        text.push_str(&format!("\n  {name:<34} {} (default {})", flag.what, flag.current(&defaults)));
    }
    text.push_str("\n\nThe first line printed is `listening on http://HOST:PORT`.");
    text
}

struct Options {
    mediator: MediatorOptions,
    world_file: Option<PathBuf>,
    backup: Option<PathBuf>,
    /// Users to make admins (`true`) or not (`false`) at start, in order.
    admins: Vec<(String, bool)>,
}

fn trusted_proxies(list: &str) -> Result<Vec<IpAddr>, String> {
    if list.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|a| a.trim().parse().map_err(|_| format!("--trusted-proxies: {a:?} is not an IP address")))
        .collect()
}

fn parse_args() -> Result<Options, String> {
    let mut config = MediatorConfig::default();
    let (mut listen, mut data, mut memory) = ("127.0.0.1:8080".to_owned(), None, false);
    let (mut world_file, mut backup) = (None, None);
    let mut admins = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => listen = value("--listen")?,
            "--data" => data = Some(PathBuf::from(value("--data")?)),
            "--memory" => memory = true,
            "--world" => world_file = Some(PathBuf::from(value("--world")?)),
            "--backup" => backup = Some(PathBuf::from(value("--backup")?)),
            "--trusted-proxies" => config.trusted_proxies = trusted_proxies(&value(&arg)?)?,
            "--admin" => admins.push((value(&arg)?, true)),
            "--revoke-admin" => admins.push((value(&arg)?, false)),
            "--public-url" => {
                let url = value("--public-url")?;
                if !["http://", "https://", "ws://", "wss://"].iter().any(|p| url.to_ascii_lowercase().starts_with(p)) {
                    return Err("--public-url takes an http:// or https:// URL".to_owned());
                }
                config.public_url = Some(url);
            }
            "-h" | "--help" => {
                println!("{}", usage());
                std::process::exit(0);
            }
            other => match flag(other) {
                Some(f) => (f.setting)(&mut config).set(&value(other)?).map_err(|e| format!("{other}: {e}"))?,
                None => return Err(format!("unknown argument {other:?}")),
            },
        }
    }
    if config.spark_interval < Duration::from_secs(1) {
        return Err("--spark-interval is at least 1 second".to_owned());
    }
    let storage = match (memory, data) {
        (true, Some(_)) => return Err("--memory and --data exclude each other".to_owned()),
        (true, None) => Location::Memory,
        (false, data) => Location::Folder(data.unwrap_or_else(|| PathBuf::from("mixplay-data"))),
    };
    if backup.is_some() && storage == Location::Memory {
        return Err("--backup copies the database of --data DIR; there is nothing to back up with --memory".to_owned());
    }
    Ok(Options { mediator: MediatorOptions { listen, storage, world: None, config }, world_file, backup, admins })
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("mixplay-server: {message}");
    std::process::exit(1);
}

fn main() {
    let mut options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mixplay-server: {e}\n\n{}", usage());
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
        // Each connection is a file descriptor: the per-address limit, not a conservative default,
        // should decide how many there can be.
        match raise_open_files_limit() {
            Ok((before, now)) if now > before => {
                eprintln!("mixplay-server: open files limit {now} (raised from {before})")
            }
            Ok((_, now)) => eprintln!("mixplay-server: open files limit {now}"),
            Err(e) => eprintln!("mixplay-server: cannot raise the open files limit: {e}"),
        }
        let mediator = Mediator::launch(options.mediator).await.unwrap_or_else(|e| fail(e));
        // Before the first line, so that whoever reads it finds the roles in place.
        for (name, admin) in &options.admins {
            match mediator.store().set_admin(name, *admin).await {
                Ok(true) if *admin => eprintln!("mixplay-server: {name} is an admin"),
                Ok(true) => eprintln!("mixplay-server: {name} is no longer an admin"),
                Ok(false) => fail(format!("there is no user named {name} (sign up first, then give the role)")),
                Err(e) => fail(e),
            }
        }
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
