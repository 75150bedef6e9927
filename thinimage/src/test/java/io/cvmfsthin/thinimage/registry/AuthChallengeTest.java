package io.cvmfsthin.thinimage.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
  @Test
  void parse_bearerWithQuotedParams() {
    List<AuthChallenge> c =
        AuthChallenge.parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/ubuntu:pull\"");
    assertThat(c).hasSize(1);
    assertThat(c.get(0).scheme()).isEqualTo("bearer");
    assertThat(c.get(0).param("realm")).isEqualTo("https://auth.docker.io/token");
    assertThat(c.get(0).param("scope")).isEqualTo("repository:library/ubuntu:pull");
  }

  @Test
  void parse_twoChallenges_andUnquotedValues() {
    List<AuthChallenge> c = AuthChallenge.parse("Basic realm=test, Bearer realm=\"x\",service=y");
    assertThat(c).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer");
    assertThat(c.get(0).param("realm")).isEqualTo("test");
    assertThat(c.get(1).param("service")).isEqualTo("y");
  }

  @Test
  void parse_commaInsideQuotes_staysInTheValue() {
    List<AuthChallenge> c =
        AuthChallenge.parse("Bearer realm=\"r\",scope=\"repository:a:pull,push\"");
    assertThat(c.get(0).param("scope")).isEqualTo("repository:a:pull,push");
  }

  @Test
  void parse_garbage_givesNothingUsable() {
    assertThat(AuthChallenge.parse(null)).isEmpty();
    assertThat(AuthChallenge.parse(",,")).isEmpty();
  }
}
