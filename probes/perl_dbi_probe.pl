#!/usr/bin/perl
# Connects with Perl DBI and DBD::MariaDB or DBD::mysql in one MySQL ssl-mode, runs SELECT 1, and
# prints one JSON line. Written for Debian 12's libdbd-mariadb-perl 1.22 and libdbd-mysql-perl
# 4.050 (both on MariaDB Connector/C 3.3). Usage:
#
#   perl perl_dbi_probe.pl --driver MariaDB|mysql --host H --port P --user U --password PW
#                          --mode MODE --ca FILE [--cert FILE --key FILE] [--socket PATH]
#   perl perl_dbi_probe.pl --driver D --batch   (one JSON job a line on stdin, one result a line out)
#
# A job: {"host","port","socket","user","password","mode","ca","cert","key"}; a result:
# {"loggedIn","queried","error","errorCode","notExpressible"}. Exit codes (one-shot): 0 logged in
# and queried; 1 not logged in; 2 SELECT 1 failed; 3 the mode cannot be expressed; 4 DBI or the
# DBD is not installed; 64 bad arguments. The password is never printed.
#
# How the ssl-modes map (DBD::MariaDB and DBD::mysql POD, "mariadb_ssl"/"mysql_ssl" and the
# attributes after it; the prefix is the driver's):
#
# - DISABLED: PREFIX_ssl=0.
# - PREFERRED: PREFIX_ssl=1, PREFIX_ssl_optional=1 ("if the server does not support SSL, connect
#   without it").
# - REQUIRED: cannot be expressed with DBD::MariaDB: PREFIX_ssl=1 without _optional makes TLS
#   mandatory through Connector/C's MYSQL_OPT_SSL_ENFORCE, which also verifies the chain (against
#   the system's CAs when no CA file is given): observed "self-signed certificate in certificate
#   chain" against a server whose CA was not given. Exit 3.
# - VERIFY_CA: cannot be expressed with DBD::MariaDB: with PREFIX_ssl_ca_file Connector/C 3.3
#   checks the host name too (observed "Validation of SSL server certificate failed" against a
#   certificate for another host without PREFIX_ssl_verify_server_cert). Exit 3.
# - VERIFY_IDENTITY: PREFIX_ssl=1, PREFIX_ssl_ca_file=FILE, PREFIX_ssl_verify_server_cert=1.
# - DBD::mysql 4.050 built on Connector/C refuses every mandatory-TLS spelling itself, before it
#   connects: "Enforcing SSL encryption is not supported" (dbdimp.c: it needs MySQL's
#   MYSQL_OPT_SSL_MODE or MYSQL_OPT_SSL_ENFORCE with libmysqlclient semantics). The probe reports
#   that as "cannot be expressed" (exit 3) with the driver's words: REQUIRED and VERIFY_* run on
#   a DBD::mysql built against libmysqlclient, where REQUIRED is PREFIX_ssl=1, VERIFY_CA adds
#   PREFIX_ssl_ca_file and VERIFY_IDENTITY PREFIX_ssl_verify_server_cert=1.
use strict;
use warnings;
no warnings "once";  # $DBI::err and $DBI::errstr are read only

use constant {
    EXIT_OK => 0, EXIT_NOT_LOGGED_IN => 1, EXIT_QUERY_FAILED => 2,
    EXIT_MODE_NOT_EXPRESSIBLE => 3, EXIT_DRIVER_MISSING => 4, EXIT_USAGE => 64,
    CONNECT_TIMEOUT_S => 10,
};
my @MODES = qw(DISABLED PREFERRED REQUIRED VERIFY_CA VERIFY_IDENTITY);
my %DEBIAN = (MariaDB => 'libdbd-mariadb-perl', mysql => 'libdbd-mysql-perl');

sub usage {
    print STDERR "perl_dbi_probe: $_[0]\n";
    print STDERR "usage: perl_dbi_probe.pl --driver MariaDB|mysql (--batch | --host H --port P --user U --password PW --mode MODE --ca FILE [--cert F --key F] [--socket P])\n";
    exit EXIT_USAGE;
}

my %args = (host => '127.0.0.1', port => '3306', password => '', batch => 0);
for (my $i = 0; $i < @ARGV; $i++) {
    my $flag = $ARGV[$i];
    if ($flag eq '--batch') { $args{batch} = 1; next; }
    usage("bad argument $flag")
      unless $flag =~ /^--(driver|host|port|user|password|mode|ca|cert|key|socket)$/ && $i + 1 < @ARGV;
    $args{$1} = $ARGV[++$i];
}
usage('--driver must be MariaDB or mysql') unless defined $args{driver} && $DEBIAN{$args{driver}};
unless ($args{batch}) {
    usage('--mode is required') unless defined $args{mode};
    usage('--mode must be one of ' . join(', ', @MODES)) unless grep { $_ eq $args{mode} } @MODES;
    usage('--user and --ca are required') unless defined $args{user} && defined $args{ca};
    usage('--cert and --key go together') if defined($args{cert}) != defined($args{key});
}
my $driver = $args{driver};
my $prefix = lc $driver;

require JSON::PP;
eval { require DBI; 1 } or do {
    print STDERR "perl_dbi_probe: DBI is not installed; install Debian's libdbi-perl\n";
    exit EXIT_DRIVER_MISSING;
};
unless (eval { DBI->install_driver($driver); 1 }) {
    print STDERR "perl_dbi_probe: DBD::$driver is not installed; install Debian's $DEBIAN{$driver}\n";
    exit EXIT_DRIVER_MISSING;
}
my $json = JSON::PP->new->canonical;

sub one_line {
    my ($text, $password) = @_;
    $text = join ' ', grep { length } map { s/^\s+|\s+$//gr } split /\n/, ($text // '');
    $text =~ s/\Q$password\E/***/g if length $password;
    return $text;
}

sub result {
    my ($logged_in, $queried, $error, $code, $not) = @_;
    return { loggedIn => $logged_in ? $JSON::PP::true : $JSON::PP::false,
             queried => $queried ? $JSON::PP::true : $JSON::PP::false,
             error => $error, errorCode => $code, notExpressible => $not };
}

sub ssl_attributes {
    my ($job) = @_;
    my $mode = $job->{mode};
    my %cert = defined $job->{cert}
      ? ("${prefix}_ssl_client_cert" => $job->{cert}, "${prefix}_ssl_client_key" => $job->{key}) : ();
    return ("${prefix}_ssl" => 0) if $mode eq 'DISABLED';
    return ("${prefix}_ssl" => 1, "${prefix}_ssl_optional" => 1, %cert) if $mode eq 'PREFERRED';
    return ("${prefix}_ssl" => 1, %cert) if $mode eq 'REQUIRED';
    return ("${prefix}_ssl" => 1, "${prefix}_ssl_ca_file" => $job->{ca}, %cert) if $mode eq 'VERIFY_CA';
    return ("${prefix}_ssl" => 1, "${prefix}_ssl_ca_file" => $job->{ca},
            "${prefix}_ssl_verify_server_cert" => 1, %cert);
}

my %NOT_EXPRESSIBLE = $driver eq 'MariaDB' ? (
    REQUIRED => 'DBD::MariaDB on Connector/C verifies the chain whenever TLS is mandatory (MYSQL_OPT_SSL_ENFORCE)',
    VERIFY_CA => 'Connector/C 3.3 checks the host name whenever it verifies the chain',
) : ();

sub run_job {
    my ($job) = @_;
    return result(0, 0, undef, undef, $NOT_EXPRESSIBLE{$job->{mode}}) if $NOT_EXPRESSIBLE{$job->{mode}};
    my $password = $job->{password} // '';
    my $dsn = "DBI:$driver:" . (defined $job->{socket} && length $job->{socket}
      ? "${prefix}_socket=$job->{socket}" : "host=$job->{host};port=$job->{port}")
      . ";${prefix}_connect_timeout=" . CONNECT_TIMEOUT_S . ";${prefix}_read_timeout=" . CONNECT_TIMEOUT_S;
    my $dbh = DBI->connect($dsn, $job->{user}, $password,
      { RaiseError => 0, PrintError => 0, PrintWarn => 0, ssl_attributes($job) });
    unless ($dbh) {
        my $errstr = $DBI::errstr // '';
        # DBD::mysql's own refusal, before any connection: the build cannot express the mode.
        return result(0, 0, undef, undef, "DBD::mysql says: $errstr")
          if $errstr =~ /Enforcing SSL encryption is not supported/;
        return result(0, 0, one_line(($DBI::err // '') . ": $errstr", $password), ($DBI::err // 0) + 0);
    }
    my $rows = $dbh->selectall_arrayref('SELECT 1');
    my $ok = $rows && @$rows == 1 && $rows->[0][0] eq '1';
    my $answer = $ok ? result(1, 1)
      : result(1, 0, one_line(($dbh->err // 'SELECT') . ': ' . ($dbh->errstr // 'SELECT 1 returned something else'), $password), ($dbh->err // 0) + 0);
    $dbh->disconnect;
    return $answer;
}

$| = 1;
if ($args{batch}) {
    while (my $line = <STDIN>) {
        next unless $line =~ /\S/;
        print $json->encode(run_job($json->decode($line))), "\n";
    }
    exit EXIT_OK;
}
my $answer = run_job(\%args);
if (defined $answer->{notExpressible}) {
    print STDERR "perl_dbi_probe: $args{mode} cannot be expressed with DBD::$driver: $answer->{notExpressible}\n";
    exit EXIT_MODE_NOT_EXPRESSIBLE;
}
delete $answer->{notExpressible};
print $json->encode($answer), "\n";
exit($answer->{queried} ? EXIT_OK : $answer->{loggedIn} ? EXIT_QUERY_FAILED : EXIT_NOT_LOGGED_IN);
