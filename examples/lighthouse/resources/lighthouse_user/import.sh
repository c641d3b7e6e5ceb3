terraform import lighthouse_user.release release@example.com
