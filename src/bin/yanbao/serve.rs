//! `yanbao serve`.

use crate::args::*;
use crate::load::*;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use yanbao::serve::config::secs_or_off;

pub(crate) fn serve(cli: &Cli, args: &ServeArgs, dirs: &[PathBuf]) -> ExitCode {
    let (lib, index) = match load_indexed(dirs) {
        Ok(x) => (x.lib, x.index),
        Err(code) => return code,
    };
    let keymap = match load_keymap(cli) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let options = match load_options(cli) {
        Ok(o) => o,
        Err(code) => return code,
    };
    // Never the current folder: with neither XDG_DATA_HOME nor HOME, the
    // key's place must be given.
    let Some(host_key) =
        args.host_key.clone().or_else(|| Some(yanbao::paths::dir(yanbao::paths::Base::Data)?.join("host_ed25519")))
    else {
        eprintln!("yanbao serve: no place for the host key: set HOME or XDG_DATA_HOME, or give --host-key FILE");
        return ExitCode::from(2);
    };
    let opts = yanbao::serve::ServeOpts {
        host_key,
        authorized_keys: args.authorized_keys.clone(),
        max_sessions: args.max_sessions,
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout.max(1)),
        per_ip_per_minute: args.max_per_minute,
        ascii: options.ascii,
        mouse: options.mouse,
        login_grace: std::time::Duration::from_secs(args.login_grace.max(1)),
        max_startups: args.max_startups.2,
        startups_start: args.max_startups.0,
        startups_rate: args.max_startups.1,
        max_per_address: args.max_per_address,
        keepalive: secs_or_off(args.keepalive),
        max_session_time: secs_or_off(args.max_session_time),
        max_size: args.max_size,
        input_rate: (args.input_rate > 0).then_some(args.input_rate),
        metrics: args.metrics.clone(),
        proxy_protocol: args.proxy_protocol,
        proxy_from: args.proxy_from.clone(),
        state_dir: yanbao::state::default_dir(),
        citation: options.citation,
    };
    let index = Arc::clone(index.arc());
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(args.workers.into()).enable_all().build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("yanbao serve: {e}");
            return ExitCode::from(1);
        }
    };
    let auth =
        if opts.authorized_keys.is_some() { "public keys from --authorized-keys only" } else { "anonymous, read-only" };
    let result = rt.block_on(async {
        let signals = yanbao::serve::StopSignals::new()?;
        let running = yanbao::serve::start(
            Arc::new(lib),
            index,
            Arc::new(keymap),
            opts,
            &args.listen,
            Box::new(|l: &str| eprintln!("{l}")),
        )
        .await?;
        eprintln!("yanbao serve: listening on {}", running.addr);
        if let Some(m) = running.metrics_addr {
            eprintln!("metrics: http://{m}/metrics");
        }
        eprintln!("host key fingerprint: {}", running.fingerprint);
        eprintln!("access: {auth}");
        running.run_until_signal(signals).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yanbao serve: {e}");
            ExitCode::from(1)
        }
    }
}
