package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RepositoryViewTest {
  static final String L = "/.layers/ab/abcd/layerfs";

  /** An in-memory repository: path -> entry; counts lookups. */
  static final class FakeSource implements EntrySource {
    final Map<String, DirectoryEntry> entries = new TreeMap<>();
    final AtomicInteger lookups = new AtomicInteger();
    final AtomicInteger childrenCalls = new AtomicInteger();
    boolean listsChildren; // answers children(), as the client does
    Object revision = "r1";

    FakeSource listingChildren() {
      listsChildren = true;
      return this;
    }

    FakeSource hidden(String path) {
      entries.put(path, entry(path, 0100644, EntryFlags.FILE | EntryFlags.HIDDEN));
      return this;
    }

    FakeSource dir(String path, int flags) {
      entries.put(path, entry(path, 040755, flags));
      return this;
    }

    FakeSource file(String path) {
      entries.put(path, entry(path, 0100644, EntryFlags.FILE));
      return this;
    }

    @Override
    public Optional<DirectoryEntry> lookup(String path) {
      lookups.incrementAndGet();
      return Optional.ofNullable(entries.get(path));
    }

    @Override
    public List<DirectoryEntry> list(String dir) throws IOException {
      return all(dir).stream().filter(e -> !e.isHidden()).toList();
    }

    @Override
    public Optional<List<DirectoryEntry>> children(String dir) throws IOException {
      if (!listsChildren) {
        return Optional.empty();
      }
      childrenCalls.incrementAndGet();
      DirectoryEntry d = entries.get(dir);
      if (d == null) {
        throw new NoSuchFileException(dir);
      }
      if (!d.isDirectory()) {
        throw new NotDirectoryException(dir);
      }
      return Optional.of(all(dir));
    }

    private List<DirectoryEntry> all(String dir) {
      List<DirectoryEntry> out = new ArrayList<>();
      for (DirectoryEntry e : entries.values()) {
        if (!e.path().isEmpty() && Md5Path.parentPath(e.path()).equals(dir)) {
          out.add(e);
        }
      }
      return out;
    }

    @Override
    public Object revisionKey() {
      return revision;
    }
  }

  static DirectoryEntry entry(String path, int mode, int flags) {
    return new DirectoryEntry(
        path,
        mode,
        0,
        0,
        1704067200,
        0,
        1000,
        1000,
        null,
        HashAlgorithm.SHA1,
        Compression.ZLIB,
        false,
        "",
        0,
        1,
        null,
        flags);
  }

  static FakeSource layerRepo() {
    return new FakeSource()
        .dir("", EntryFlags.DIR)
        .dir("/.layers", EntryFlags.DIR)
        .dir("/.layers/ab", EntryFlags.DIR)
        .dir("/.layers/ab/abcd", EntryFlags.DIR)
        .dir(L, EntryFlags.DIR | EntryFlags.NESTED_ROOT)
        .file(L + "/.cvmfscatalog")
        .dir(L + "/etc", EntryFlags.DIR)
        .file(L + "/etc/.wh.passwd")
        .file(L + "/etc/group")
        .file(L + "/etc/.wh.group")
        .dir(L + "/var", EntryFlags.DIR)
        .file(L + "/var/.wh..wh..opq")
        .file(L + "/var/.wh..wh.plnk")
        .file(L + "/var/kept")
        .file("/.wh.outside");
  }

  @Nested
  class LayerView {
    final RepositoryView view = view();

    RepositoryView view() {
      return new RepositoryView(layerRepo(), LayerRoots.DUCC, 1000);
    }

    @Test
    void list_showsWhiteoutsAsCharDevicesAndHidesMarkers() throws Exception {
      assertThat(view.list(L + "/etc"))
          .extracting(DirectoryEntry::name)
          .containsExactly("group", "passwd");
      DirectoryEntry wh = view.list(L + "/etc").get(1);
      assertThat(wh.kind()).isEqualTo(EntryKind.CHAR_DEVICE);
      assertThat(wh.rdev()).isZero();
      assertThat(wh.uid()).isEqualTo(1000);
      assertThat(wh.path()).isEqualTo(L + "/etc/passwd");
      assertThat(view.list(L + "/var")).extracting(DirectoryEntry::name).containsExactly("kept");
    }

    @Test
    void lookup_ofDeletedName_isTheWhiteout_andMarkersAreAbsent() throws Exception {
      assertThat(view.lookup(L + "/etc/passwd"))
          .get()
          .extracting(DirectoryEntry::kind)
          .isEqualTo(EntryKind.CHAR_DEVICE);
      assertThat(view.lookup(L + "/etc/group"))
          .get()
          .extracting(DirectoryEntry::kind)
          .isEqualTo(EntryKind.REGULAR);
      assertThat(view.lookup(L + "/etc/.wh.passwd")).isEmpty();
      assertThat(view.lookup(L + "/var/.wh..wh..opq")).isEmpty();
      assertThat(view.lookup(L + "/etc/nothing")).isEmpty();
    }

    @Test
    void opaqueDirectory_isOpaque_othersAreNot() throws Exception {
      assertThat(view.isOpaque(L + "/var")).isTrue();
      assertThat(view.isOpaque(L + "/etc")).isFalse();
      assertThat(view.isOpaque("/.layers")).isFalse();
    }

    @Test
    void catalogMarkerOfTheLayerRoot_isHidden() throws Exception {
      assertThat(view.list(L)).extracting(DirectoryEntry::name).containsExactly("etc", "var");
      assertThat(view.lookup(L + "/.cvmfscatalog")).isEmpty();
    }

    @Test
    void outsideLayers_namesAreAsStored() throws Exception {
      assertThat(view.lookup("/.wh.outside")).isPresent();
      assertThat(view.list("")).extracting(DirectoryEntry::name).contains(".wh.outside");
    }
  }

  @Test
  void plainView_showsEverythingAsStored() throws Exception {
    RepositoryView view = new RepositoryView(layerRepo(), LayerRoots.NONE, 1000);
    assertThat(view.list(L + "/etc"))
        .extracting(DirectoryEntry::name)
        .containsExactly(".wh.group", ".wh.passwd", "group");
    assertThat(view.list(L)).extracting(DirectoryEntry::name).contains(".cvmfscatalog");
    assertThat(view.lookup(L + "/etc/passwd")).isEmpty();
    assertThat(view.isOpaque(L + "/var")).isFalse();
  }

  @Test
  void lookups_areCachedPerRevision_absentOnesToo() throws Exception {
    FakeSource src = layerRepo();
    RepositoryView view = new RepositoryView(src, LayerRoots.NONE, 1000);
    view.lookup("/missing");
    view.lookup("/missing");
    view.lookup("/.layers");
    view.lookup("/.layers");
    assertThat(src.lookups.get()).isEqualTo(2);
    src.revision = "r2";
    src.file("/missing");
    assertThat(view.lookup("/missing")).isPresent();
    assertThat(src.lookups.get()).isEqualTo(3);
  }

  /** The same layer view rules when every lookup is answered from a directory index. */
  @Nested
  class LayerViewFromDirectoryIndexes extends LayerView {
    @Override
    RepositoryView view() {
      return new RepositoryView(layerRepo().listingChildren(), LayerRoots.DUCC, 1000, 0);
    }
  }

  @Nested
  class DirectoryIndex {
    final FakeSource src =
        new FakeSource()
            .listingChildren()
            .dir("", EntryFlags.DIR)
            .dir("/d", EntryFlags.DIR)
            .file("/d/f0")
            .file("/d/f1")
            .file("/d/f2")
            .file("/d/f3")
            .hidden("/d/secret")
            .file("/plain");
    final RepositoryView view = new RepositoryView(src, LayerRoots.NONE, 1000);

    @Test
    void siblings_afterAFewMisses_areAnsweredByOneListing_presentAndAbsent() throws Exception {
      for (int i = 0; i < 4; i++) {
        assertThat(view.lookup("/d/f" + i))
            .get()
            .extracting(DirectoryEntry::path)
            .isEqualTo("/d/f" + i);
      }
      for (int i = 0; i < 4; i++) {
        assertThat(view.lookup("/d/m" + i)).isEmpty();
      }
      assertThat(src.lookups.get()).isEqualTo(RepositoryView.LIST_AFTER_MISSES);
      assertThat(src.childrenCalls.get()).isEqualTo(1);
    }

    @Test
    void hiddenEntry_isStillFoundByName_butNotListed() throws Exception {
      view.lookup("/d/x");
      view.lookup("/d/y");
      view.lookup("/d/z"); // indexes /d
      assertThat(src.childrenCalls.get()).isEqualTo(1);
      assertThat(view.lookup("/d/secret")).isPresent();
      assertThat(view.list("/d")).extracting(DirectoryEntry::name).doesNotContain("secret");
    }

    @Test
    void childrenOfAFileOrAMissingDirectory_areAbsent() throws Exception {
      RepositoryView eager = new RepositoryView(src, LayerRoots.NONE, 1000, 0);
      assertThat(eager.lookup("/plain/x")).isEmpty();
      assertThat(eager.lookup("/nowhere/x")).isEmpty();
      assertThat(src.lookups.get()).isZero();
    }

    @Test
    void sourceThatCannotListChildren_isAskedNameByName() throws Exception {
      src.listsChildren = false;
      for (int i = 0; i < 4; i++) {
        view.lookup("/d/f" + i);
        view.lookup("/d/m" + i);
      }
      assertThat(view.lookup("/d/secret")).isPresent();
      assertThat(src.lookups.get()).isEqualTo(9);
    }

    @Test
    void newRevision_startsAFreshIndex() throws Exception {
      RepositoryView eager = new RepositoryView(src, LayerRoots.NONE, 1000, 0);
      assertThat(eager.lookup("/d/new")).isEmpty();
      src.revision = "r2";
      src.file("/d/new");
      assertThat(eager.lookup("/d/new")).isPresent();
      assertThat(src.childrenCalls.get()).isEqualTo(2);
    }

    @Test
    void tooManyIndexedEntries_dropsWholeIndexes_andAnswersStayRight() throws Exception {
      RepositoryView small = new RepositoryView(src, LayerRoots.NONE, 5, 0);
      for (int round = 0; round < 3; round++) {
        assertThat(small.lookup("/d/f1")).isPresent();
        assertThat(small.lookup("/plain")).isPresent();
        assertThat(small.lookup("/d/m1")).isEmpty();
      }
    }
  }

  @Test
  void layerRoots_matchComponentPatterns() {
    assertThat(LayerRoots.DUCC.rootOf(L + "/etc/x")).contains(L);
    assertThat(LayerRoots.DUCC.rootOf(L)).contains(L);
    assertThat(LayerRoots.DUCC.rootOf("/.layers/ab/abcd")).isEmpty();
    assertThat(LayerRoots.DUCC.rootOf("/.layers/ab/abcd/layerfsx")).isEmpty();
    assertThat(LayerRoots.of("/").covers("")).isTrue();
    assertThat(LayerRoots.of("/").toString()).isEqualTo("/");
    assertThat(LayerRoots.NONE.covers("")).isFalse();
  }
}
