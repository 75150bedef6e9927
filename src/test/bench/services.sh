# Sourced by the benchmark scripts (run.sh, containerd-bench.sh) after scripts/lib.sh: the services
# every benchmark starts, the same way, so that their logs and byte counts compare.
#
# start_registry_and_stratum WORK FQRN REG_PORT NGX_REG NGX_STR
#   docker-registry on 127.0.0.1:REG_PORT (storage WORK/registry, log WORK/registry.log); a CVMFS
#   repository FQRN created in WORK/stratum (keys in WORK/keys); nginx in front of both, logging
#   every request with its port, status and bytes to WORK/access.log: 127.0.0.1:NGX_REG proxies the
#   registry, 127.0.0.1:NGX_STR serves WORK/stratum under /cvmfs/. The pids go to the caller's
#   `pids` array (stopped by its cleanup).
start_registry_and_stratum() {
  local work=$1 fqrn=$2 reg_port=$3 ngx_reg=$4 ngx_str=$5
  cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$reg_port}
YML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  pids+=($!)

  cli repo create --storage "$work/stratum" --keys "$work/keys" "$fqrn" >/dev/null
  cat >"$work/nginx.conf" <<NGX
daemon off;
user root;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  log_format bench '\$server_port \$status \$bytes_sent \$request_method \$request_uri';
  access_log $work/access.log bench;
  server {
    listen 127.0.0.1:$ngx_reg;
    client_max_body_size 0;
    location / {
      proxy_pass http://127.0.0.1:$reg_port;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 900s;
    }
  }
  server {
    listen 127.0.0.1:$ngx_str;
    location /cvmfs/ { alias $work/stratum/; }
  }
}
NGX
  nginx -c "$work/nginx.conf" &
  pids+=($!)
}
