/** The top-level help (`aalens --help`), also the man page's description. */
export const HELP = `Usage: aalens <command> [options] [INPUT…]

AppArmor and kernel audit log analyzer: reads audit.log, journald, syslog/kern.log and dmesg
(plain or compressed, files, directories or stdin), explains what AppArmor denied and why.

Commands:
  analyze [INPUT…]   denials grouped by profile, suggested rules, unreadable lines
  rules [INPUT…]     the missing AppArmor rules per profile, ready for /etc/apparmor.d/local/
  pasta [INPUT…]     pasta (Podman/Buildah networking) incidents: the refused step, cause and fix
  merge STATE…       combine states saved by analyze --save-state (other runs, other hosts)
  watch [FILE…]      follow the journal (the default) or log files live and print each new
                     denial as it happens (tail -F, rotation, resumable with --state)
  parse [INPUT…]     every record as NDJSON
  completion SHELL   print the bash or zsh completion script (see aalens completion --help)

Options:
  -h, --help         help (also: aalens help <command>, aalens <command> --help)
  -V, --version      print the version

Examples:
  aalens analyze samples/
  sudo aalens rules
  journalctl -k -o json | aalens parse`;
