package io.cvmfsthin.plugin.cri;

/**
 * A registry user name and password handed to the runtime with a pull; never logged.
 *
 * @param user the registry user name, not empty
 * @param password the password or token
 */
public record RegistryAuth(String user, String password) {
  public RegistryAuth {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("registry auth: empty user name");
    }
    if (password == null) {
      throw new IllegalArgumentException("registry auth: no password for " + user);
    }
  }

  /** Parses {@code user:password} (the password may hold further colons). */
  public static RegistryAuth parse(String userColonPassword) {
    int colon = userColonPassword.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "registry auth must be USER:PASSWORD, got a value without a user before ':'");
    }
    return new RegistryAuth(
        userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
  }

  @Override
  public String toString() {
    return "RegistryAuth[user=" + user + ", password=***]";
  }
}
