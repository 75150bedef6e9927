package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @Test
  void createAndPublish(@TempDir Path tmp) throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, "smoke.example.org");
    RepositoryInspector.inspect(storage, keys, "smoke.example.org");
    PublishResult r =
        p.publish(
            Publication.tar(
                "/",
                new TestRepos.Tar()
                        .file("a.txt", "hello")
                        .dir("sub", 0755)
                        .file("sub/b.txt", "b")
                        .file("sub/.cvmfscatalog", "")
                        .stream()));
    assertThat(r.revision()).isEqualTo(1);
    RepositoryInspector i = RepositoryInspector.inspect(storage, keys, "smoke.example.org");
    assertThat(new String(i.content("/a.txt"))).isEqualTo("hello");
    assertThat(i.catalogs).containsKey("/sub");
    r = p.publish(Publication.tar("/x/y", new TestRepos.Tar().file("c.txt", "c").stream()));
    i = RepositoryInspector.inspect(storage, keys, "smoke.example.org");
    assertThat(new String(i.content("/x/y/c.txt"))).isEqualTo("c");
    r =
        p.publish(
            Publication.tar("/sub/deep", new TestRepos.Tar().file("d.txt", "d").stream())
                .withNestedCatalog(true));
    i = RepositoryInspector.inspect(storage, keys, "smoke.example.org");
    assertThat(i.catalogs).containsKeys("/sub", "/sub/deep");
    assertThat(r.revision()).isEqualTo(3);
  }
}
