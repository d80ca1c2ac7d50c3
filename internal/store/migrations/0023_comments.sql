-- Instagram comments: the business hid a comment at the provider (it
-- stays for agents, marked hidden); and what a conversation's thread is
-- about (an Instagram post: caption, image, link), as the provider last
-- described it, JSON channels.ThreadInfo.
ALTER TABLE messages ADD COLUMN hidden_at {{timestamp}};
ALTER TABLE conversations ADD COLUMN thread_info TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN thread_info_at {{timestamp}};
