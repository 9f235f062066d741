#!/usr/bin/env ruby
# frozen_string_literal: true

# Connects with Ruby's mysql2 gem in one MySQL ssl-mode, runs SELECT 1, and prints one JSON line.
# Written for Debian 12's ruby-mysql2 0.5.3, built on MariaDB Connector/C 3.3. Usage:
#
#   ruby ruby_mysql2_probe.rb --host H --port P --user U --password PW --mode MODE --ca FILE
#                             [--cert FILE --key FILE] [--socket PATH]
#   ruby ruby_mysql2_probe.rb --batch   (one JSON job a line on stdin, one JSON result a line out)
#
# A job: {"host","port","socket","user","password","mode","ca","cert","key"}; a result:
# {"loggedIn","queried","error","errorCode","notExpressible"}. Exit codes (one-shot): 0 logged in
# and queried; 1 not logged in; 2 SELECT 1 failed; 3 the mode cannot be expressed; 4 the mysql2
# gem is not installed; 64 bad arguments. The password is never printed.
#
# How the ssl-modes map (mysql2 README "SSL/TLS options" and lib/mysql2/client.rb: sslca/sslcert/
# sslkey go to mysql_ssl_set(), sslverify: true sets SSL_VERIFY_SERVER_CERT, ssl_mode goes to
# MYSQL_OPT_SSL_MODE where the C library has it; ext/mysql2/client.c rb_set_ssl_mode_option, which
# on MariaDB Connector/C only knows MYSQL_OPT_SSL_ENFORCE):
#
# - DISABLED: no ssl option: Connector/C never asks for TLS.
# - PREFERRED: sslcipher: 'DEFAULT' only: mysql_ssl_set() turns Connector/C's use_ssl on, "TLS
#   when offered", without verification. No CA: given one, Connector/C 3.3 verifies the chain
#   (observed: a self-signed server certificate is refused with 2026).
# - REQUIRED: sslca + ssl_mode: :required, the gem's documented spelling. On Connector/C, mysql2
#   0.5.3 only warns "Your mysql client library does not support setting ssl_mode" and TLS stays
#   advisory; the suite's known deviations record what that costs.
# - VERIFY_CA: sslca only: the chain is checked against the CA, the host name is not; TLS advisory.
# - VERIFY_IDENTITY: sslca + sslverify: true, the gem's documented spelling, which sets
#   CLIENT_SSL_VERIFY_SERVER_CERT in the client flags. Connector/C 3.3 takes verification from
#   MYSQL_OPT_SSL_VERIFY_SERVER_CERT, not from that flag (observed: certificates for other hosts
#   accepted, servers without TLS get the login in plaintext): the known deviations record it.

require 'json'

EXIT_OK = 0
EXIT_NOT_LOGGED_IN = 1
EXIT_QUERY_FAILED = 2
EXIT_MODE_NOT_EXPRESSIBLE = 3
EXIT_DRIVER_MISSING = 4
EXIT_USAGE = 64
MODES = %w[DISABLED PREFERRED REQUIRED VERIFY_CA VERIFY_IDENTITY].freeze
CONNECT_TIMEOUT_S = 10
NOT_EXPRESSIBLE = {}.freeze

def usage(message)
  warn "ruby_mysql2_probe: #{message}"
  warn 'usage: ruby_mysql2_probe.rb (--batch | --host H --port P --user U --password PW --mode MODE --ca FILE [--cert F --key F] [--socket P])'
  exit EXIT_USAGE
end

def parse_args(argv)
  args = { 'host' => '127.0.0.1', 'port' => '3306', 'password' => '', 'batch' => false }
  i = 0
  while i < argv.length
    flag = argv[i]
    if flag == '--batch'
      args['batch'] = true
    elsif flag =~ /\A--(host|port|user|password|mode|ca|cert|key|socket)\z/ && i + 1 < argv.length
      args[Regexp.last_match(1)] = argv[i += 1]
    else
      usage("bad argument #{flag}")
    end
    i += 1
  end
  unless args['batch']
    usage('--mode is required') unless args['mode']
    usage("--mode must be one of #{MODES.join(', ')}") unless MODES.include?(args['mode'])
    usage('--user and --ca are required') unless args['user'] && args['ca']
    usage('--cert and --key go together') if args['cert'].nil? != args['key'].nil?
  end
  args
end

def ssl_options(job)
  cert = job['cert'] ? { sslcert: job['cert'], sslkey: job['key'] } : {}
  case job['mode']
  when 'DISABLED' then {}
  when 'PREFERRED' then { sslcipher: 'DEFAULT', **cert }
  when 'REQUIRED' then { sslca: job['ca'], ssl_mode: :required, **cert }
  when 'VERIFY_CA' then { sslca: job['ca'], **cert }
  else { sslca: job['ca'], sslverify: true, **cert }
  end
end

def one_line(text, password)
  line = text.to_s.lines.map(&:strip).reject(&:empty?).join(' ')
  password.empty? ? line : line.gsub(password, '***')
end

def result(logged_in, queried, error = nil, code = nil, not_expressible = nil)
  { loggedIn: logged_in, queried: queried, error: error, errorCode: code, notExpressible: not_expressible }
end

def failure(logged_in, error, password)
  code = error.respond_to?(:error_number) && error.error_number ? error.error_number : error.class.name
  result(logged_in, false, one_line("#{code}: #{error.message}", password), code)
end

def run_job(job)
  mode = job['mode']
  return result(false, false, nil, nil, NOT_EXPRESSIBLE[mode]) if NOT_EXPRESSIBLE.key?(mode)

  password = job['password'].to_s
  where = job['socket'] ? { socket: job['socket'] } : { host: job['host'], port: Integer(job['port']) }
  begin
    client = Mysql2::Client.new(username: job['user'], password: password, connect_timeout: CONNECT_TIMEOUT_S,
                                read_timeout: CONNECT_TIMEOUT_S, **where, **ssl_options(job))
  rescue StandardError => e
    return failure(false, e, password)
  end
  begin
    rows = client.query('SELECT 1', as: :array).to_a
    raise "SELECT 1 returned #{rows.inspect}" unless rows == [[1]]
  rescue StandardError => e
    return failure(true, e, password)
  ensure
    client.close
  end
  result(true, true)
end

args = parse_args(ARGV)
begin
  require 'mysql2'
rescue LoadError => e
  warn "ruby_mysql2_probe: the mysql2 gem is not installed (#{e.message}); install Debian's ruby-mysql2 or gem install mysql2"
  exit EXIT_DRIVER_MISSING
end
$stdout.sync = true
if args['batch']
  $stdin.each_line do |line|
    next if line.strip.empty?

    puts JSON.generate(run_job(JSON.parse(line)))
  end
  exit EXIT_OK
end
answer = run_job(args)
if answer[:notExpressible]
  warn "ruby_mysql2_probe: #{args['mode']} cannot be expressed with mysql2: #{answer[:notExpressible]}"
  exit EXIT_MODE_NOT_EXPRESSIBLE
end
answer.delete(:notExpressible)
puts JSON.generate(answer)
exit(answer[:queried] ? EXIT_OK : answer[:loggedIn] ? EXIT_QUERY_FAILED : EXIT_NOT_LOGGED_IN)
