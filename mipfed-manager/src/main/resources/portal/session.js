// Who is signed in: {username, role, csrf_token, auth} from /auth/me or /auth/login, or null.
export const session = {user: null};
