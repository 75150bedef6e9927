package io.cvmfsthin.cvmfs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
  @Test
  void parse_shellLikeLines() {
    Map<String, String> m = new HashMap<>();
    ConfigFiles.parseInto(
        """
        # a comment
        CVMFS_HTTP_PROXY=DIRECT
        export CVMFS_QUOTA_LIMIT=2000   # MB
        CVMFS_SERVER_URL="http://a/cvmfs/@fqrn@;http://b/cvmfs/@fqrn@"
        CVMFS_KEYS_DIR='/etc/cvmfs/keys/example.org'
        CVMFS_CACHE_BASE=/var/lib/cvmfs
        CVMFS_CACHE_DIR=${CVMFS_CACHE_BASE}/mine
        not a setting
        if [ x ]; then
        """,
        m);
    assertThat(m)
        .containsEntry("CVMFS_HTTP_PROXY", "DIRECT")
        .containsEntry("CVMFS_QUOTA_LIMIT", "2000")
        .containsEntry("CVMFS_SERVER_URL", "http://a/cvmfs/@fqrn@;http://b/cvmfs/@fqrn@")
        .containsEntry("CVMFS_KEYS_DIR", "/etc/cvmfs/keys/example.org")
        .containsEntry("CVMFS_CACHE_DIR", "/var/lib/cvmfs/mine")
        .hasSize(6);
  }

  @Test
  void load_readsTheStockOrder_laterFilesWin(@TempDir Path etc) throws Exception {
    Files.writeString(etc.resolve("default.conf"), "A=default\nB=default\nC=default\nD=default\n");
    Files.createDirectories(etc.resolve("default.d"));
    Files.writeString(etc.resolve("default.d/50-site.conf"), "E=site\n");
    Files.writeString(etc.resolve("default.local"), "B=local\n");
    Files.createDirectories(etc.resolve("domain.d"));
    Files.writeString(etc.resolve("domain.d/example.org.conf"), "C=domain\n");
    Files.createDirectories(etc.resolve("config.d"));
    Files.writeString(etc.resolve("config.d/repo.example.org.conf"), "D=repo\n");
    Files.writeString(etc.resolve("config.d/other.example.org.conf"), "D=other\n");
    assertThat(ConfigFiles.load(etc, "repo.example.org"))
        .containsEntry("A", "default")
        .containsEntry("B", "local")
        .containsEntry("C", "domain")
        .containsEntry("D", "repo")
        .containsEntry("E", "site");
  }
}
