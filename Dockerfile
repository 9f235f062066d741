# mysql-tls-mock in a container: the mock MySQL server on 3306 and its control API on 8080.
#
#   docker build -t mysql-tls-mock .
#   docker run --rm -p 3306:3306 -p 8080:8080 -e MYSQL_TLS_MOCK_SCENARIO=strip-backronym mysql-tls-mock
#
# It installs the published package at MYSQL_TLS_MOCK_VERSION. To build from a checkout instead
# (before a release, or with local changes), pack it first; a mysql-tls-mock-*.tgz in the build
# context is installed in place of the registry's:
#
#   npm ci && npm pack && docker build -t mysql-tls-mock .
#
# Every setting is an environment variable (`mysql-tls-mock serve --help` lists them); those below
# are this image's defaults, and `docker run -e` overrides them.
FROM node:20-slim

ARG MYSQL_TLS_MOCK_VERSION=0.1.0

# package.json is only there so the copy never matches nothing when no .tgz was packed.
COPY package.json mysql-tls-mock-*.tgz* /tmp/package/
RUN set -e; \
    if ls /tmp/package/mysql-tls-mock-*.tgz >/dev/null 2>&1; then \
      npm install -g /tmp/package/mysql-tls-mock-*.tgz; \
    else \
      npm install -g "mysql-tls-mock@${MYSQL_TLS_MOCK_VERSION}"; \
    fi; \
    rm -rf /tmp/package; \
    npm cache clean --force

# Reachable from outside the container: that is what publishing its ports is for. Set
# MYSQL_TLS_MOCK_CONTROL_TOKEN where anyone else can reach port 8080.
ENV MYSQL_TLS_MOCK_HOST=0.0.0.0 \
    MYSQL_TLS_MOCK_PORT=3306 \
    MYSQL_TLS_MOCK_CONTROL_HOST=0.0.0.0 \
    MYSQL_TLS_MOCK_CONTROL_PORT=8080 \
    MYSQL_TLS_MOCK_JSON=1

USER node
EXPOSE 3306 8080

# node:20-slim has no curl; node's own fetch asks the control API, with the token when one is set.
HEALTHCHECK --interval=2s --timeout=2s --start-period=10s --retries=5 \
  CMD ["node", "-e", "const t=process.env.MYSQL_TLS_MOCK_CONTROL_TOKEN;fetch('http://127.0.0.1:'+process.env.MYSQL_TLS_MOCK_CONTROL_PORT+'/health',{headers:t?{authorization:'Bearer '+t}:{}}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["mysql-tls-mock", "serve"]
